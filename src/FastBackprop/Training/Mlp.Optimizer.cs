namespace FastBackprop.Training;

public sealed partial class Mlp<T>
{
    /// <summary>
    /// Applies <see cref="Optimizer"/> at its own learning rate to <see cref="Parameters"/> with the current
    /// <see cref="Gradients"/> and advances <see cref="Step"/>. All parameters, biases included, are one vector θ.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="Step"/> is <see cref="long.MaxValue"/>: no further update can be counted (nothing is changed).</exception>
    public void ApplyUpdate() => ApplyUpdate(Optimizer.LearningRate);

    /// <summary>
    /// Applies <see cref="Optimizer"/> with learning rate η = <paramref name="learningRate"/> (in place of
    /// <c>Optimizer.LearningRate</c>, e.g. from a <see cref="LearningRateSchedule"/>) and advances <see cref="Step"/>.
    /// With <paramref name="weightDecay"/> λ &gt; 0 the decay is decoupled from the gradient (Loshchilov and Hutter's
    /// AdamW): every weight first shrinks, <c>w ← w − η·λ·w</c>, then the rule's step on the unchanged gradient
    /// follows. Biases are not decayed: shrinking them toward 0 regularizes nothing and only shifts the units.
    /// </summary>
    /// <param name="learningRate">η, finite and ≥ 0.</param>
    /// <param name="weightDecay">λ, finite and ≥ 0; 0 (the default) decays nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException">η or λ is negative or not finite (nothing is changed).</exception>
    /// <exception cref="InvalidOperationException"><see cref="Step"/> is <see cref="long.MaxValue"/>: no further update can be counted (nothing is changed).</exception>
    public void ApplyUpdate(double learningRate, double weightDecay = 0)
    {
        ThrowIfDisposed();
        if (!(double.IsFinite(learningRate) && learningRate >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be finite and ≥ 0.");
        }

        if (!(double.IsFinite(weightDecay) && weightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "the weight decay must be finite and ≥ 0.");
        }

        if (_step == long.MaxValue)
        {
            throw new InvalidOperationException($"Step is {long.MaxValue}; no further update can be counted.");
        }

        if (weightDecay > 0)
        {
            // w ← (1 − η·λ)·w, the factor taken in double once per step.
            T shrink = T.CreateTruncating(1 - (learningRate * weightDecay));
            for (int l = 0; l < Architecture.Layers.Count; l++)
            {
                Linear.Scale(shrink, Weights(l));
            }
        }

        Span<T> theta = Parameters;
        ReadOnlySpan<T> g = Gradients;
        T alpha = T.CreateTruncating(learningRate);
        _step++;
        switch (Optimizer.Kind)
        {
            case OptimizerKind.Sgd:
                // θ ← θ − α·g
                Linear.Axpy(-alpha, g, theta);
                break;

            case OptimizerKind.Momentum:
                // v ← μ·v + g; θ ← θ − α·v
                Span<T> v = OptimizerState(0);
                Linear.Scale(T.CreateTruncating(Optimizer.Momentum), v);
                Linear.Axpy(T.One, g, v);
                Linear.Axpy(-alpha, v, theta);
                break;

            default:
                AdamUpdate(theta, g, OptimizerState(0), OptimizerState(1), alpha);
                break;
        }
    }

    /// <summary>
    /// Global gradient-norm clipping: with <c>‖g‖₂</c> the L2 norm of all of <see cref="Gradients"/> (every layer's
    /// ∂J/∂W and ∂J/∂b as one vector, summed in double), scales every gradient by
    /// <c>min(1, maxNorm / ‖g‖₂)</c>, so the direction is kept and the length is at most
    /// <paramref name="maxNorm"/>. A non-finite norm (a NaN or infinite gradient) leaves the gradients as they are,
    /// so the fault shows in the update rather than as a silent zero step.
    /// </summary>
    /// <param name="maxNorm">The largest norm kept, &gt; 0; <see cref="double.PositiveInfinity"/> clips nothing.</param>
    /// <returns>‖g‖₂ before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive (or is NaN).</exception>
    public double ClipGradientNorm(double maxNorm)
    {
        ThrowIfDisposed();
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "the largest gradient norm must be positive.");
        }

        Span<T> g = Gradients;
        double norm = Math.Sqrt(SumOfSquares(g));
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            Linear.Scale(T.CreateTruncating(maxNorm / norm), g);
        }

        return norm;
    }

    /// <summary>
    /// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − α·c₁·m / (√(c₂·v) + ε) with the bias corrections
    /// c₁ = 1/(1−β₁ᵗ), c₂ = 1/(1−β₂ᵗ) taken in double once per step.
    /// </summary>
    private void AdamUpdate(Span<T> theta, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T alpha)
    {
        double t = _step;
        T beta1 = T.CreateTruncating(Optimizer.Beta1);
        T beta2 = T.CreateTruncating(Optimizer.Beta2);
        T oneMinusBeta1 = T.CreateTruncating(1 - Optimizer.Beta1);
        T oneMinusBeta2 = T.CreateTruncating(1 - Optimizer.Beta2);
        T stepSize = alpha * T.CreateTruncating(1 / (1 - Math.Pow(Optimizer.Beta1, t)));
        T c2 = T.CreateTruncating(1 / (1 - Math.Pow(Optimizer.Beta2, t)));
        T epsilon = T.CreateTruncating(Optimizer.Epsilon);
        for (int i = 0; i < theta.Length; i++)
        {
            T gi = g[i];
            T mi = beta1 * m[i] + oneMinusBeta1 * gi;
            T vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            theta[i] -= stepSize * mi / (T.Sqrt(c2 * vi) + epsilon);
        }
    }
}
