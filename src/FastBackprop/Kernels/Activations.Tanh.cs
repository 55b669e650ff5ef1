using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Hyperbolic tangent, element-wise: <c>y = tanh(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)</c>.</summary>
    /// <remarks>
    /// Relative accuracy holds down to 0 and the subnormals (computed from expm1, not from 1 − 2/(e²ˣ + 1)):
    /// tanh(±∞) = ±1, tanh(−0) = −0, NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(TanhOperator<T>), x, y);
    }

    /// <summary>Tanh backward from the input: <c>dx = dy ⊙ (1 − tanh²(x))</c>, computed as <c>4e/(1 + e)²</c>, <c>e = exp(−2|x|)</c>.</summary>
    /// <remarks>
    /// Accurate where tanh(x) rounds to ±1 (|x| ≳ 9 in float) and 1 − y² would be 0. Gives 0 at ±∞.
    /// <paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void TanhBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(TanhBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>Tanh backward from the output: <c>dx = dy ⊙ (1 − y)(1 + y)</c>.</summary>
    /// <remarks>Exact as algebra but 0 where y has rounded to ±1; use <see cref="TanhBackward"/> when x is at hand.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void TanhBackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(TanhBackwardFromOutputOperator<T>), y, dy, dx);
    }

    /// <summary>Tanh in the registry (α unused): forward, backward from the input, and from the output.</summary>
    internal readonly struct TanhKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Tanh(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => TanhBackward(x, dy, dx);

        public static bool SupportsBackwardFromOutput(double alpha) => true;

        public static void BackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => TanhBackwardFromOutput(y, dy, dx);

        public static bool HasSlopeForward => true;

        public static void AddBiasWithSlope<T>(ReadOnlySpan<T> bias, int rows, int cols, Span<T> p, bool keepP, T alpha, Span<T> z, Span<T> slope)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
            BiasDriver.AddBiasWithSlope(default(TanhSlopeOperator<T>), bias, rows, cols, p, keepP, z, slope);
    }

    /// <summary>y = tanh(x); see <see cref="VectorMath.Tanh"/>.</summary>
    internal readonly struct TanhOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => VectorMath.Tanh<TOps, TVec, T>(x);
    }

    /// <summary>y = tanh(x) and slope = tanh′(x) from one evaluation; see <see cref="VectorMath.TanhWithDerivative"/>.</summary>
    internal readonly struct TanhSlopeOperator<T> : ISlopeOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, out TVec slope)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => VectorMath.TanhWithDerivative<TOps, TVec, T>(x, out slope);
    }

    /// <summary>dx = dy · tanh′(x); see <see cref="VectorMath.TanhDerivative"/>.</summary>
    internal readonly struct TanhBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(dy, VectorMath.TanhDerivative<TOps, TVec, T>(x));
    }

    /// <summary>dx = dy · (1 − y)(1 + y): the factored form is exact near y = ±1, where 1 − y² would round.</summary>
    internal readonly struct TanhBackwardFromOutputOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec y, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec one = TOps.Create(T.One);
            return TOps.Multiply(dy, TOps.Multiply(TOps.Subtract(one, y), TOps.Add(one, y)));
        }
    }
}
