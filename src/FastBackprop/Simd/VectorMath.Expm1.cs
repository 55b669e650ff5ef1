namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// eˣ − 1 with relative accuracy near 0 (≤ 1.5 ULP float, ≤ 2 ULP double): +∞ above ln(max), −1 below
    /// −17.4 (float) or −37.5 (double), NaN → NaN, ±0 → ±0.
    /// </summary>
    /// <remarks>
    /// With n = round(x / ln 2) and r = x − n·ln 2 in [−ln2/2, ln2/2] (reduced as in <see cref="Exp"/>),
    /// <c>eˣ − 1 = 2ⁿ·(eʳ − 1) + (2ⁿ − 1) = 2·(h·p + (h − ½))</c> with h = 2ⁿ⁻¹ and p = eʳ − 1 =
    /// r + r²·(½ + r/6 + …): h − ½ is exact while n ≤ 24 (float) or 53 (double), where cancellation could matter,
    /// and h·p + (h − ½) rounds once (FMA). Halving 2ⁿ keeps h finite at n = 128 (1024), so x up to 88.8 (710)
    /// needs no other path; n = 0 gives p exactly, so tiny x returns x. Q: in float degree 5 fitted as for
    /// <see cref="Exp"/> (4.7e−10 relative to eʳ − 1); in double the Taylor terms to r¹³/13! (truncation 0.05 ULP).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Expm1<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec half = Expm1Halved<TOps, TVec, T>(x);
        return TOps.Add(half, half);
    }

    /// <summary>
    /// <c>(eˣ − 1) / 2</c>, the value <see cref="Expm1"/> doubles at its end; exact halving, except that a subnormal
    /// result may round once more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Expm1Halved<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        TVec clamped = TOps.Max(Constant<TOps, TVec, T>(single ? -18.0 : -40.0), TOps.Min(Constant<TOps, TVec, T>(single ? 88.8 : 710.0), x));
        TVec magic = Constant<TOps, TVec, T>(single ? 12582912.0 : 6755399441055744.0); // 1.5·2²³, 1.5·2⁵²
        TVec shifted = TOps.MultiplyAdd(clamped, Constant<TOps, TVec, T>(1.4426950408889634), magic);
        TVec n = TOps.Subtract(shifted, magic);
        TVec reduced = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? -0.693359375 : -6.93147180369123816490e-01), clamped);
        reduced = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? 2.12194440054690583e-4 : -1.90821492927058770002e-10), reduced);
        TVec poly = Expm1Quotient<TOps, TVec, T>(reduced, negated: false);
        TVec p = TOps.MultiplyAdd(TOps.Multiply(reduced, reduced), poly, reduced);
        TVec h = TOps.PowerOfTwoFromShifted(TOps.Subtract(shifted, TOps.Create(T.One)));
        return TOps.MultiplyAdd(p, h, TOps.Subtract(h, Constant<TOps, TVec, T>(0.5)));
    }

    /// <summary>
    /// Q(r) of eʳ − 1 = r + r²·Q(r) for r in [−ln2/2, ln2/2] (see <see cref="Expm1"/>), or −Q(−r) when
    /// <paramref name="negated"/> (a JIT-time constant), so that 1 − e⁻ʳ = r + r²·(−Q(−r)): the even coefficients change
    /// sign, which costs nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Expm1Quotient<TOps, TVec, T>(TVec r, bool negated)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Q's coefficient of rʲ becomes (−1)ʲ⁺¹ times itself; spelled out for the reason given in ExpPolynomial.
        double even = negated ? -1.0 : 1.0;
        if (typeof(T) == typeof(float))
        {
            TVec poly = Constant<TOps, TVec, T>(0.0001974217884708196);
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(even * 0.0013933766167610884));
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(0.008333568461239338));
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(even * 0.04166647791862488));
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(0.1666666567325592));
            return TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(even * 0.5));
        }

        return DoubleTaylorQuotient<TOps, TVec, T>(r, even, even);
    }
}
