using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>SiLU (swish), element-wise: <c>y = x·σ(x) = x / (1 + e⁻ˣ)</c>.</summary>
    /// <remarks>
    /// Accurate down to the subnormals of the negative tail (SiLU(−95) ≈ −5e−40 in float keeps its bits); SiLU(+∞) =
    /// +∞, SiLU(−∞) = −0, NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Silu<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(SiluOperator<T>), x, y);
    }

    /// <summary>SiLU backward from the input: <c>dx = dy ⊙ σ(x)·(1 + x·(1 − σ(x)))</c>.</summary>
    /// <remarks>
    /// Computed as <c>(s·(1 + e) + x·e)/(1 + e)²</c> with <c>e = exp(−|x|)</c>, s = 1 (x ≥ 0) or e (x &lt; 0): no
    /// overflow, and 1 − σ is never formed by subtraction. Around its root at x ≈ −1.2785, where the two terms cancel,
    /// the derivative comes from a polynomial in the distance to the root instead, so it keeps its relative accuracy
    /// there too. 1 at +∞, 0 at −∞. <paramref name="dx"/> may be <paramref name="x"/> or
    /// <paramref name="dy"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void SiluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(SiluBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>SiLU in the registry (α unused): forward and backward from the input; f′ is not a function of y.</summary>
    internal readonly struct SiluKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Silu(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => SiluBackward(x, dy, dx);
    }

    /// <summary>
    /// y = x·σ(x) by <see cref="VectorMath.MultiplyBySigmoid"/>, x clamped below at the gate's −130 (−800): there
    /// the true value is far below the smallest subnormal, and −∞ gives −0 instead of −∞·0.
    /// </summary>
    internal readonly struct SiluOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec clamped = TOps.Max(VectorMath.Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? -130.0 : -800.0), x);
            return VectorMath.MultiplyBySigmoid<TOps, TVec, T>(clamped, clamped, TOps.Create(T.Zero));
        }
    }

    /// <summary>dx = dy · SiLU′(x) by <see cref="VectorMath.SigmoidGateDerivative"/>, x clamped to ±130 (±800), beyond which SiLU′ is 1 or 0.</summary>
    internal readonly struct SiluBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            double limit = typeof(T) == typeof(float) ? 130.0 : 800.0;
            TVec clamped = TOps.Min(VectorMath.Constant<TOps, TVec, T>(limit), TOps.Max(VectorMath.Constant<TOps, TVec, T>(-limit), x));
            TVec derivative = VectorMath.SigmoidGateDerivative<TOps, TVec, T>(clamped, clamped, TOps.Create(T.Zero), TOps.Create(T.One));
            return TOps.Multiply(dy, VectorMath.WithRootWindow<TOps, TVec, T>(x, GatedActivation.Silu, derivative));
        }
    }
}
