namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// eˣ ≤ 1 ULP over the whole range (float and double): +∞ above ln(max), +0 below the smallest subnormal, NaN → NaN.
    /// </summary>
    /// <remarks>
    /// eˣ = 2ⁿ · eʳ with n = round(x / ln 2) and r = x − n·ln 2 in [−ln2/2, ln2/2] (Cody–Waite: ln 2 split into a
    /// high part with trailing zero bits, so n·ln2_hi is exact even without FMA, and a low part). eʳ is its Taylor
    /// polynomial, degree 7 in float (truncation r⁸/8! ≤ 5e−9 relative) and 13 in double (r¹⁴/14! ≤ 5e−18).
    /// The clamp keeps n where the rounding trick and the 2ⁿ scaling are exact, and passes NaN through (x is the
    /// right operand of Min/Max); the scaling rounds once, to ∞ on overflow and gradually into the subnormals.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exp<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec clamped = typeof(T) == typeof(float)
            ? TOps.Min(Constant<TOps, TVec, T>(88.8), TOps.Max(Constant<TOps, TVec, T>(-104.0), x))
            : TOps.Min(Constant<TOps, TVec, T>(710.0), TOps.Max(Constant<TOps, TVec, T>(-746.0), x));
        TVec mantissa = ExpSplit<TOps, TVec, T>(clamped, out TVec n);
        return TOps.ScaleByPowerOfTwo(mantissa, n);
    }

    /// <summary>
    /// eˣ as <c>eʳ · 2ⁿ</c> unscaled: returns eʳ in [√½, √2] and sets <paramref name="n"/> = round(x / ln 2), so a
    /// caller can multiply eʳ by other factors and round into the subnormals once, with the final scaling.
    /// </summary>
    /// <remarks>
    /// x must be finite or NaN, in [−130, 88.8] (float) or [−1400, 710] (double): there the reduction is exact
    /// enough and |n| stays within what <see cref="IVectorOps{TVec, T}.ScaleByPowerOfTwo"/> accepts.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpSplit<TOps, TVec, T>(TVec x, out TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec reduced;
        TVec poly;
        TVec magic;
        if (typeof(T) == typeof(float))
        {
            magic = Constant<TOps, TVec, T>(12582912.0); // 1.5·2²³
            TVec shifted = TOps.MultiplyAdd(x, Constant<TOps, TVec, T>(1.4426950408889634), magic);
            n = TOps.Subtract(shifted, magic);
            reduced = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(-0.693359375), x);
            reduced = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(2.12194440054690583e-4), reduced);
            poly = Constant<TOps, TVec, T>(1.0 / 5040);
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 720));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 120));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 24));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 6));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(0.5));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0));
        }
        else
        {
            magic = Constant<TOps, TVec, T>(6755399441055744.0); // 1.5·2⁵²
            TVec shifted = TOps.MultiplyAdd(x, Constant<TOps, TVec, T>(1.4426950408889634), magic);
            n = TOps.Subtract(shifted, magic);
            reduced = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(-6.93147180369123816490e-01), x);
            reduced = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(-1.90821492927058770002e-10), reduced);
            poly = Constant<TOps, TVec, T>(1.0 / 6227020800);
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 479001600));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 39916800));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 3628800));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 362880));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 40320));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 5040));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 720));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 120));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 24));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0 / 6));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(0.5));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0));
            poly = TOps.MultiplyAdd(poly, reduced, Constant<TOps, TVec, T>(1.0));
        }

        return poly;
    }
}
