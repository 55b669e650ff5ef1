namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// eˣ ≤ 1 ULP over the whole range (float and double): +∞ above ln(max), +0 below the smallest subnormal, NaN → NaN.
    /// </summary>
    /// <remarks>
    /// eˣ = 2ⁿ · eʳ with n = round(x / ln 2) and r = x − n·ln 2 in [−ln2/2, ln2/2] (Cody–Waite: ln 2 split into a
    /// high part with trailing zero bits, so n·ln2_hi is exact even without FMA, and a low part). eʳ is a polynomial:
    /// in float 1 + r + r²·Q(r) with Q of degree 4 fitted here (relative least squares in mpmath on Chebyshev nodes,
    /// coefficients rounded to float one at a time and the rest refitted: 3.7e−9 relative, one FMA fewer than the
    /// degree-7 Taylor polynomial); in double the Taylor polynomial of degree 13 (r¹⁴/14! ≤ 5e−18).
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
    /// eˣ for x ≤ 0 or NaN (sigmoid's and tanh′'s e^(−|x|)): <see cref="Exp"/> without the upper clamp, one
    /// instruction fewer in the hottest loops. Positive x gives unspecified values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpOfNonPositive<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec clamped = TOps.Max(Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? -104.0 : -746.0), x);
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
        TVec reduced = ReduceForExp<TOps, TVec, T>(x, out n);
        return ExpPolynomial<TOps, TVec, T>(reduced, negated: false);
    }

    /// <summary>
    /// n = round(x / ln 2) and r = x − n·ln 2 (Cody–Waite, exact enough for |n| ≤ 2⁹ in float, 2¹¹ in double); returns r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ReduceForExp<TOps, TVec, T>(TVec x, out TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        TVec magic = Constant<TOps, TVec, T>(single ? 12582912.0 : 6755399441055744.0); // 1.5·2²³, 1.5·2⁵²
        TVec shifted = TOps.MultiplyAdd(x, Constant<TOps, TVec, T>(1.4426950408889634), magic);
        n = TOps.Subtract(shifted, magic);
        TVec reduced = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? -0.693359375 : -6.93147180369123816490e-01), x);
        return TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? 2.12194440054690583e-4 : -1.90821492927058770002e-10), reduced);
    }

    /// <summary>
    /// eʳ for r in [−ln2/2, ln2/2] (see <see cref="Exp"/>), or e⁻ʳ when <paramref name="negated"/> (a JIT-time
    /// constant): the odd coefficients change sign, which costs nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpPolynomial<TOps, TVec, T>(TVec r, bool negated)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Odd powers change sign for e⁻ʳ; the Horner steps are spelled out because the JIT does not unroll a loop over
        // a coefficient table (it would reload and broadcast every constant on every call).
        double odd = negated ? -1.0 : 1.0;
        TVec poly;
        if (typeof(T) == typeof(float))
        {
            poly = Constant<TOps, TVec, T>(0.0013746801996603608);
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd * 0.008369146846234798));
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(0.04166964069008827));
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd * 0.16666516661643982));
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(0.49999988079071045));
            poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd));
            return TOps.MultiplyAdd(poly, r, TOps.Create(T.One));
        }

        poly = Constant<TOps, TVec, T>(odd / 6227020800);
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(1.0 / 479001600));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd / 39916800));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(1.0 / 3628800));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd / 362880));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(1.0 / 40320));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd / 5040));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(1.0 / 720));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd / 120));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(1.0 / 24));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd / 6));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(0.5));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd));
        return TOps.MultiplyAdd(poly, r, TOps.Create(T.One));
    }
}
