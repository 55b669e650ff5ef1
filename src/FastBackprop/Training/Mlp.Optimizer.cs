namespace FastBackprop.Training;

public sealed partial class Mlp<T>
{
    /// <summary>
    /// Applies <see cref="Optimizer"/> to <see cref="Parameters"/> with the current <see cref="Gradients"/> and
    /// advances <see cref="Step"/>. All parameters, biases included, are one vector θ.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="Step"/> is <see cref="long.MaxValue"/>: no further update can be counted (nothing is changed).</exception>
    public void ApplyUpdate()
    {
        ThrowIfDisposed();
        if (_step == long.MaxValue)
        {
            throw new InvalidOperationException($"Step is {long.MaxValue}; no further update can be counted.");
        }

        Span<T> theta = Parameters;
        ReadOnlySpan<T> g = Gradients;
        T alpha = T.CreateTruncating(Optimizer.LearningRate);
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
