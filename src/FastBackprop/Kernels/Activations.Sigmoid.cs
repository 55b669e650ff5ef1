using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Logistic sigmoid, element-wise: <c>y = σ(x) = 1 / (1 + e⁻ˣ)</c>.</summary>
    /// <remarks>
    /// Computed from <c>e = exp(−|x|)</c>, so it never overflows and never returns NaN for finite or infinite input:
    /// σ(+∞) = 1, σ(−∞) = 0, NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(SigmoidOperator<T>), x, y);
    }

    /// <summary>Sigmoid backward from the input: <c>dx = dy ⊙ σ′(x)</c>, with <c>σ′(x) = e / (1 + e)²</c>, <c>e = exp(−|x|)</c>.</summary>
    /// <remarks>
    /// Accurate where σ(x) rounds to 1: σ′(50) in float is ≈ 1.93e−22, where <c>y(1 − y)</c> from the rounded output
    /// gives 0 and the weights below stop learning. Prefer this form over <see cref="SigmoidBackwardFromOutput"/> when the
    /// input is at hand. <paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(SigmoidBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>Sigmoid backward from the output: <c>dx = dy ⊙ y(1 − y)</c>.</summary>
    /// <remarks>
    /// Exact as algebra but blind where <c>y</c> has rounded to 0 or 1 (|x| ≳ 17 in float): the derivative is then 0.
    /// Use <see cref="SigmoidBackward"/> when <c>x</c> is available.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void SigmoidBackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(SigmoidBackwardFromOutputOperator<T>), y, dy, dx);
    }

    /// <summary>Sigmoid in the registry (α unused): forward, backward from the input, and from the output.</summary>
    internal readonly struct SigmoidKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Sigmoid(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => SigmoidBackward(x, dy, dx);

        public static bool SupportsBackwardFromOutput(double alpha) => true;

        public static void BackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => SigmoidBackwardFromOutput(y, dy, dx);
    }

    /// <summary>y = σ(x); see <see cref="VectorMath.Sigmoid"/>.</summary>
    internal readonly struct SigmoidOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => VectorMath.Sigmoid<TOps, TVec, T>(x);
    }

    /// <summary>dx = dy · σ′(x); see <see cref="VectorMath.SigmoidDerivative"/>.</summary>
    internal readonly struct SigmoidBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(dy, VectorMath.SigmoidDerivative<TOps, TVec, T>(x));
    }

    /// <summary>dx = dy · y(1 − y).</summary>
    internal readonly struct SigmoidBackwardFromOutputOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec y, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.Multiply(dy, TOps.Multiply(y, TOps.Subtract(TOps.Create(T.One), y)));
    }
}
