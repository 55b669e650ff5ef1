namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>σ(x) = 1/(1 + e⁻ˣ) (≤ 2 ULP float): 1 at +∞, 0 at −∞, NaN → NaN; never overflows.</summary>
    /// <remarks>
    /// With e = e^(−|x|) ≤ 1: σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x &lt; 0, so neither the exponential nor the
    /// denominator (in [1, 2]) can overflow, and the negative tail keeps e's relative accuracy down to the subnormals.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Sigmoid<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec e = Exp<TOps, TVec, T>(TOps.Negate(TOps.Abs(x)));
        TVec numerator = TOps.Select(TOps.LessThan(x, TOps.Create(T.Zero)), e, TOps.Create(T.One));
        return TOps.DivideFast(numerator, TOps.Add(TOps.Create(T.One), e));
    }

    /// <summary>
    /// σ′(x) = σ(x)(1 − σ(x)) = e/(1 + e)² with e = e^(−|x|) (even in x): accurate where σ(x) rounds to 1 and
    /// y(1 − y) would be 0 (seed 000: σ′(50) ≈ 1.93e−22 in float). 0 at ±∞, NaN → NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SigmoidDerivative<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec e = Exp<TOps, TVec, T>(TOps.Negate(TOps.Abs(x)));
        TVec onePlusE = TOps.Add(TOps.Create(T.One), e);
        return TOps.DivideFast(e, TOps.Multiply(onePlusE, onePlusE));
    }
}
