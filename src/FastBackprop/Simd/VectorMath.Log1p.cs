namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// ln(1 + u) with relative accuracy near 0, for u in (−1, max] or NaN (≤ 1.5 ULP float, ≤ 2 ULP double). Other
    /// inputs (u ≤ −1, +∞) give unspecified values; callers keep u in range.
    /// </summary>
    /// <remarks>
    /// w = 1 + u rounded, split as w = m·2ᵏ with m in [√½, √2). ln(1 + u) = k·ln 2 + ln m + c, where
    /// c = (u − (w − 1))/w restores what rounding 1 + u lost (to first order, which is all that is left).
    /// ln m = 2·atanh(s) = 2s·Σ s²ʲ/(2j + 1) with s = (m − 1)/(m + 1), |s| ≤ 0.1716, s² ≤ 0.0295: the series is cut
    /// after s⁸ in float (next term 2e−9 relative) and s²⁰ in double (6e−19). ln 2 is split so k·ln2_hi is exact.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Log1p<TOps, TVec, T>(TVec u)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec one = TOps.Create(T.One);
        TVec w = TOps.Add(one, u);
        TVec correction = TOps.Divide(TOps.Subtract(u, TOps.Subtract(w, one)), w);
        TVec m = TOps.Decompose(w, out TVec k);
        TVec f = TOps.Subtract(m, one);
        TVec s = TOps.Divide(f, TOps.Add(f, Constant<TOps, TVec, T>(2.0)));
        TVec z = TOps.Multiply(s, s);
        TVec poly;
        TVec ln2High;
        TVec ln2Low;
        if (typeof(T) == typeof(float))
        {
            poly = Constant<TOps, TVec, T>(1.0 / 9);
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 7));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 5));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 3));
            ln2High = Constant<TOps, TVec, T>(0.693145751953125); // 16 bits: k·ln2_hi exact for |k| < 2⁸
            ln2Low = Constant<TOps, TVec, T>(1.4286068203094173e-06);
        }
        else
        {
            poly = Constant<TOps, TVec, T>(1.0 / 21);
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 19));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 17));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 15));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 13));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 11));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 9));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 7));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 5));
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(1.0 / 3));
            ln2High = Constant<TOps, TVec, T>(0.6931471805598903); // 42 bits: k·ln2_hi exact for |k| < 2¹¹
            ln2Low = Constant<TOps, TVec, T>(5.497923018708371e-14);
        }

        TVec twoS = TOps.Add(s, s);
        TVec lnM = TOps.MultiplyAdd(TOps.Multiply(twoS, z), poly, twoS);
        TVec low = TOps.Add(lnM, TOps.MultiplyAdd(k, ln2Low, correction));
        return TOps.MultiplyAdd(k, ln2High, low);
    }
}
