namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// tanh(x) with relative accuracy everywhere, 0 included (≤ 2.5 ULP float over all inputs): ±1 for large |x| and
    /// ±∞, NaN → NaN, the sign of x kept (tanh(−0) = −0).
    /// </summary>
    /// <remarks>
    /// With a = |x| clamped at 9 (float) or 20 (double), where tanh is 1 to the last bit or its neighbour, and
    /// m = −expm1(−2a)/2 in [0, ½): tanh(a) = m/(1 − m). No overflow (the exponent is never positive), no
    /// cancellation near 0 (expm1 keeps m ≈ a relative), and the denominator lies in (½, 1].
    /// expm1(−2a) = 2ⁿ·(eʳ − 1) + (2ⁿ − 1) with n = round(−2a/ln 2) ≤ 0 and r = −2a − n·ln 2 (see <see cref="Expm1"/>),
    /// so m = h·(−p) + (½ − h) with h = 2ⁿ⁻¹ and −p = 1 − eʳ = ρ − ρ²·Q(−ρ) in ρ = −r = 2a + n·ln 2: reducing 2a
    /// directly spares the multiplication by −2, and the sign flips ride on the polynomial's coefficients.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        TVec a = TOps.Min(Constant<TOps, TVec, T>(single ? 9.0 : 20.0), TOps.Abs(x));
        TVec twiceA = TOps.Add(a, a);
        TVec magic = Constant<TOps, TVec, T>(single ? 12582912.0 : 6755399441055744.0); // 1.5·2²³, 1.5·2⁵²
        TVec shifted = TOps.MultiplyAdd(a, Constant<TOps, TVec, T>(-2.8853900817779268), magic); // n = round(−2a/ln 2)
        TVec n = TOps.Subtract(shifted, magic);
        TVec rho = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? 0.693359375 : 6.93147180369123816490e-01), twiceA);
        rho = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? -2.12194440054690583e-4 : 1.90821492927058770002e-10), rho);
        TVec oneMinusExp = TOps.MultiplyAdd(TOps.Multiply(rho, rho), Expm1Quotient<TOps, TVec, T>(rho, negated: true), rho);
        TVec h = TOps.PowerOfTwoFromShifted(TOps.Subtract(shifted, TOps.Create(T.One)));
        TVec m = TOps.MultiplyAdd(oneMinusExp, h, TOps.Subtract(Constant<TOps, TVec, T>(0.5), h));
        TVec magnitude = TOps.Divide(m, TOps.Subtract(TOps.Create(T.One), m));
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
