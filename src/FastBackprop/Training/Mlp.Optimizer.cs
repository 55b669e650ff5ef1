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
    /// <remarks>
    /// One vectorized pass over θ, its gradient and the optimizer state. Each element's result depends only on its own
    /// values, never on the network's shape or the element's position. Adam's arithmetic (+, −, ×, ÷, √, none fused)
    /// gives the same bits on every <see cref="SimdPath"/>; SGD's and momentum's step <c>θ − α·g</c> is a multiply-add,
    /// fused where the CPU has FMA, so without it (SSE-only x86, or x86 with <c>DOTNET_EnableHWIntrinsic=0</c>) a step can
    /// differ from the other paths' by one rounding.
    /// </remarks>
    /// <param name="learningRate">η, finite and ≥ 0.</param>
    /// <param name="weightDecay">λ, finite and ≥ 0; 0 (the default) decays nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException">η or λ is negative or not finite (nothing is changed).</exception>
    /// <exception cref="InvalidOperationException"><see cref="Step"/> is <see cref="long.MaxValue"/>: no further update can be counted (nothing is changed).</exception>
    public void ApplyUpdate(double learningRate, double weightDecay = 0)
    {
        CheckUpdate(learningRate, weightDecay);
        _step++;
        T alpha = T.CreateTruncating(learningRate);
        AdamCoefficients<T> adam = Optimizer.Kind == OptimizerKind.Adam
            ? AdamCoefficients<T>.ForStep(learningRate, Optimizer.Beta1, Optimizer.Beta2, Optimizer.Epsilon, _step)
            : default;
        if (weightDecay == 0)
        {
            UpdateRange(0, _parameterCount, T.One, alpha, adam);
            return;
        }

        // Weights shrink by d = 1 − η·λ (taken in double once per step) inside the same pass; biases run with d = 1.
        T shrink = T.CreateTruncating(1 - (learningRate * weightDecay));
        for (int l = 0; l < Architecture.Layers.Count; l++)
        {
            UpdateRange(_weightOffset[l], WeightCount(l), shrink, alpha, adam);
            if (_biasOffset[l] >= 0)
            {
                UpdateRange(_biasOffset[l], Architecture.Layers[l].Outputs, T.One, alpha, adam);
            }
        }
    }

    /// <summary>The checks of an update, made before anything is changed.</summary>
    private void CheckUpdate(double learningRate, double weightDecay)
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
    }

    /// <summary>
    /// Whether a training step can fold plain SGD into the backward pass (<see cref="FusedSgd"/>): nothing between the
    /// gradient and the update needs ∂J/∂W (momentum and Adam keep state from it; diagnostics take its norm).
    /// </summary>
    internal bool FusesSgdStep => Optimizer.Kind == OptimizerKind.Sgd && !_collectsDiagnostics;

    /// <summary>
    /// One training step with plain SGD folded into the backward pass, for <see cref="TrainStep(ReadOnlySpan{T}, ReadOnlySpan{int}, int)"/>
    /// and <see cref="Trainer{T}"/>: each layer's ∂J/∂W is never stored, since GEMM's epilogue applies it at once,
    /// <c>W ← d·W − η·(Z_{l−1}ᵀ · ∂J/∂P_l)</c> (α = −η, β = d = 1 − η·λ). ∂J/∂Z_{l−1} is formed first, from the weights
    /// before the update. Biases take the ordinary step on their stored gradient. Where k = rows fits one KC block
    /// (every batch of at most KC rows) the new weights have the bits of ComputeGradients then ApplyUpdate, since the
    /// epilogue's multiply-add is SGD's; a longer k folds each block's product into W in turn.
    /// </summary>
    /// <returns>The batch's loss before the update.</returns>
    internal T TrainStepFused(ReadOnlySpan<T> x, ReadOnlySpan<int> labels, int rows, double learningRate, double weightDecay)
    {
        CheckBatch(x, rows);
        CheckLabels(labels, rows);
        CheckUpdate(learningRate, weightDecay);
        Forward(_training, x, rows);
        T loss = LabelLossAndGradient(_training, rows, labels, _training.Delta[^1].AsSpan(0, rows * Architecture.Outputs));
        BackwardFused(x, rows, learningRate, weightDecay);
        return loss;
    }

    /// <summary>The dense-target form of <see cref="TrainStepFused(ReadOnlySpan{T}, ReadOnlySpan{int}, int, double, double)"/>.</summary>
    /// <returns>The batch's loss before the update.</returns>
    internal T TrainStepFused(ReadOnlySpan<T> x, ReadOnlySpan<T> targets, int rows, double learningRate, double weightDecay)
    {
        CheckBatch(x, rows);
        Guard.SameLength(targets.Length, rows * Architecture.Outputs, nameof(targets), "rows × outputs");
        CheckUpdate(learningRate, weightDecay);
        Forward(_training, x, rows);
        T loss = LossAndGradient(_training, rows, targets, [], _training.Delta[^1].AsSpan(0, rows * Architecture.Outputs));
        BackwardFused(x, rows, learningRate, weightDecay);
        return loss;
    }

    /// <summary>Counts the update and runs the backward pass that applies it.</summary>
    private void BackwardFused(ReadOnlySpan<T> x, int rows, double learningRate, double weightDecay)
    {
        _step++;
        var sgd = new FusedSgd(T.CreateTruncating(-learningRate), T.CreateTruncating(1 - (learningRate * weightDecay)));
        Backward(_training, x, rows, [], inputGradientWanted: false, sgd);
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
    /// The optimizer's step on θ[start..start+length) with decay factor <paramref name="decay"/>:
    /// SGD <c>θ ← d·θ − α·g</c>; momentum <c>v ← μ·v + g</c>, <c>θ ← d·θ − α·v</c>; Adam
    /// <c>m ← β₁m + (1−β₁)g</c>, <c>v ← β₂v + (1−β₂)g²</c>, <c>θ ← d·θ − α·c₁·m / (√(c₂·v) + ε)</c> with the bias
    /// corrections c₁ = 1/(1−β₁ᵗ), c₂ = 1/(1−β₂ᵗ) in <paramref name="adam"/>. Each element's bits depend only on its
    /// own values (see <see cref="ParameterUpdates"/>), so splitting θ into ranges changes none.
    /// </summary>
    private void UpdateRange(int start, int length, T decay, T alpha, in AdamCoefficients<T> adam)
    {
        Span<T> theta = _parameters.AsSpan(start, length);
        ReadOnlySpan<T> g = _gradients.AsSpan(start, length);
        switch (Optimizer.Kind)
        {
            case OptimizerKind.Sgd:
                ParameterUpdates.Sgd(alpha, decay, g, theta);
                break;

            case OptimizerKind.Momentum:
                ParameterUpdates.Momentum(alpha, T.CreateTruncating(Optimizer.Momentum), decay, g, theta, _optimizerState[0].AsSpan(start, length));
                break;

            default:
                ParameterUpdates.Adam(adam, decay, g, theta, _optimizerState[0].AsSpan(start, length), _optimizerState[1].AsSpan(start, length));
                break;
        }
    }
}
