using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Softplus, element-wise: <c>y = ln(1 + eˣ)</c>.</summary>
    /// <remarks>
    /// Computed as <c>max(x, 0) + log1p(exp(−|x|))</c>: never overflows, returns x itself once the correction is below
    /// half an ULP of x (x ≳ 17 in float, 37 in double), keeps relative accuracy in the tail (≈ eˣ for x ≪ 0).
    /// Softplus(+∞) = +∞, softplus(−∞) = 0, NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(SoftplusOperator<T>), x, y);
    }

    /// <summary>Softplus backward from the input: <c>dx = dy ⊙ σ(x)</c>.</summary>
    /// <remarks><paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void SoftplusBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(SoftplusBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>Softplus in the registry (α unused): forward and backward from the input; f′ is not a function of y.</summary>
    internal readonly struct SoftplusKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Softplus(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => SoftplusBackward(x, dy, dx);
    }

    /// <summary>y = max(0, x) + log1p(e^(−|x|)); the sum of two non-negative terms does not cancel.</summary>
    internal readonly struct SoftplusOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec tail = VectorMath.Log1p<TOps, TVec, T>(VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Negate(TOps.Abs(x))));
            return TOps.Add(TOps.Max(TOps.Create(T.Zero), x), tail);
        }
    }

    /// <summary>dx = dy · σ(x).</summary>
    internal readonly struct SoftplusBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(dy, VectorMath.Sigmoid<TOps, TVec, T>(x));
    }
}
