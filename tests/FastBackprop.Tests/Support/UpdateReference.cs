using FastBackprop.Simd;

namespace FastBackprop.Tests.Support;

/// <summary>
/// The optimizer rules one element at a time in plain scalar <typeparamref name="T"/> arithmetic, written as
/// <c>Mlp.ApplyUpdate</c> computed them before it was vectorized: the bits every path must reproduce.
/// </summary>
public static class UpdateReference<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>θ ← d·θ − α·g, the product and sum rounded once when the path fuses multiply-adds, else each.</summary>
    public static T Sgd(T alpha, T decay, T g, T theta) => MultiplyAdd(-alpha, g, decay * theta);

    /// <summary>v ← μ·v + g, flushed to zero below the normal range; θ ← d·θ − α·v, fused as <see cref="Sgd"/>.</summary>
    public static T Momentum(T alpha, T mu, T decay, T g, T theta, ref T v)
    {
        v = FlushSubnormal((mu * v) + g);
        return MultiplyAdd(-alpha, v, decay * theta);
    }

    /// <summary>The pre-vectorization Adam loop's body, on the weight-decayed θ, with m and v flushed to zero below the normal range.</summary>
    public static T Adam(double learningRate, double beta1, double beta2, double epsilon, long t, T decay, T g, T theta, ref T m, ref T v)
    {
        T alpha = T.CreateTruncating(learningRate);
        T stepSize = alpha * T.CreateTruncating(1 / (1 - Math.Pow(beta1, t)));
        T c2 = T.CreateTruncating(1 / (1 - Math.Pow(beta2, t)));
        T mi = FlushSubnormal(T.CreateTruncating(beta1) * m + T.CreateTruncating(1 - beta1) * g);
        T vi = FlushSubnormal(T.CreateTruncating(beta2) * v + T.CreateTruncating(1 - beta2) * g * g);
        m = mi;
        v = vi;
        return (decay * theta) - stepSize * mi / (T.Sqrt(c2 * vi) + T.CreateTruncating(epsilon));
    }

    /// <summary>+0 for a subnormal or zero x, else x: <see cref="T.IsSubnormal"/> is the test, independent of the kernel's compare.</summary>
    public static T FlushSubnormal(T x) => T.IsSubnormal(x) || T.IsZero(x) ? T.Zero : x;

    /// <summary>Equal bits, or both NaN (a NaN's payload is not specified).</summary>
    public static bool Same(T expected, T actual) =>
        T.IsNaN(expected) ? T.IsNaN(actual) : expected.Equals(actual) && T.IsNegative(expected) == T.IsNegative(actual);

    private static T MultiplyAdd(T a, T b, T c) => VectorMath.MultiplyAddIsFused ? T.FusedMultiplyAdd(a, b, c) : (a * b) + c;
}
