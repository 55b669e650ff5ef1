namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// tanh(x) with relative accuracy everywhere, 0 included (≤ 2 ULP float): ±1 for large |x| and ±∞, NaN → NaN,
    /// the sign of x kept (tanh(−0) = −0).
    /// </summary>
    /// <remarks>
    /// With a = |x| and g = (e^(−2a) − 1)/2 = <see cref="Expm1Halved"/>(−2a) in (−½, 0]:
    /// tanh(a) = −2g/(2g + 2) = −g/(g + 1). No overflow (the exponent is never positive), no cancellation near 0
    /// (expm1 keeps g ≈ −a relative), and the denominator lies in [½, 1].
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec g = Expm1HalvedOfClamped<TOps, TVec, T>(TOps.Multiply(TOps.Abs(x), Constant<TOps, TVec, T>(-2.0)));
        TVec magnitude = TOps.Divide(TOps.Negate(g), TOps.Add(g, TOps.Create(T.One)));
        return TOps.CopySign(magnitude, x);
    }

    /// <summary>
    /// tanh′(x) = 1 − tanh²(x) = 4e/(1 + e)² with e = e^(−2|x|): accurate where tanh(x) rounds to ±1 and 1 − y² would
    /// be 0 (|x| ≳ 9 in float), 0 for ±∞, NaN → NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec TanhDerivative<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec e = ExpOfNonPositive<TOps, TVec, T>(TOps.Multiply(TOps.Abs(x), Constant<TOps, TVec, T>(-2.0)));
        TVec onePlusE = TOps.Add(TOps.Create(T.One), e);
        return TOps.Divide(TOps.Multiply(e, Constant<TOps, TVec, T>(4.0)), TOps.Multiply(onePlusE, onePlusE));
    }
}
