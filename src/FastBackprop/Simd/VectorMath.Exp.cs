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
        if (UsesSixteenthsTable<TOps, TVec, T>())
        {
            return ExpBySixteenths<TOps, TVec, T>(clamped);
        }

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
        if (UsesSixteenthsTable<TOps, TVec, T>())
        {
            return ExpBySixteenths<TOps, TVec, T>(clamped);
        }

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
    /// e^(x + xLow) as <c>eʳ · 2ⁿ</c> (see <see cref="ExpSplit{TOps, TVec, T}(TVec, out TVec)"/>) for an argument carried as
    /// a pair, |xLow| ≪ 1: xLow joins the reduced argument r, whose rounding then costs at most 2⁻²⁵·|r| ≤ 0.18
    /// ULP (float), where multiplying eʳ by 1 + xLow afterwards would cost a rounding of the result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpSplit<TOps, TVec, T>(TVec x, TVec xLow, out TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec reduced = TOps.Add(ReduceForExp<TOps, TVec, T>(x, out n), xLow);
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

        poly = DoubleTaylorQuotient<TOps, TVec, T>(r, odd, 1.0);
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(odd));
        return TOps.MultiplyAdd(poly, r, TOps.Create(T.One));
    }

    /// <summary>
    /// The double Taylor quotient Q(r) of eʳ = 1 + r + r²·Q(r), Q(r) = Σⱼ rʲ/(j + 2)! to j = 11 (enough for
    /// |r| ≤ ln2/2), with the coefficient of rʲ multiplied by <paramref name="scale"/>·<paramref name="odd"/>ʲ (JIT-time
    /// constants of ±1): e⁻ʳ's quotient is Q(−r) (odd = −1), expm1's negated form −Q(−r) (both −1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec DoubleTaylorQuotient<TOps, TVec, T>(TVec r, double odd, double scale)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double oddScale = odd * scale;
        TVec poly = Constant<TOps, TVec, T>(oddScale / 6227020800);
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(scale / 479001600));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(oddScale / 39916800));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(scale / 3628800));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(oddScale / 362880));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(scale / 40320));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(oddScale / 5040));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(scale / 720));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(oddScale / 120));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(scale / 24));
        poly = TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(oddScale / 6));
        return TOps.MultiplyAdd(poly, r, Constant<TOps, TVec, T>(scale * 0.5));
    }

    /// <summary>
    /// eˣ for float where <see cref="IVectorOps{TVec, T}.HasPermute16"/>, x in [−104, 88.8] or NaN (≤ 0.6 ULP):
    /// eˣ = 2ᵘ·eʳ with u = x/ln 2 rounded to sixteenths and |r| ≤ ln2/32, so 2ᵘ = 2ⁿ·2^(j/16) (n = ⌊u⌋, j the
    /// sixteenths) comes from a table in one permute and the scaling, and eʳ needs a cubic instead of
    /// <see cref="ExpPolynomial"/>'s degree 6: three FMAs fewer, and a shorter dependency chain.
    /// </summary>
    /// <remarks>
    /// Adding 1.5·2¹⁹ rounds x/ln 2 to a multiple of 1/16 and leaves j = 16u mod 16 in the low four mantissa bits,
    /// which is what the permute reads; vscalef takes ⌊u⌋ itself. 2^(j/16) is held as a float and its rounding
    /// remainder, so that eˣ = 2ⁿ·(T + (T·(eʳ − 1) + T_low)) rounds once at the end. With
    /// <paramref name="scale"/> = k (a power of two) it returns e^(k·x) for k·x in that range without forming k·x
    /// (σ′'s e^(−|x|), tanh′'s e^(−2|x|)); see <see cref="ReduceToSixteenths"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ExpBySixteenths<TOps, TVec, T>(TVec x, double scale = 1.0)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec s = ReduceToSixteenths<TOps, TVec, T>(x, scale, out TVec u, out TVec shifted);
        return TOps.ScaleByPowerOfTwo(SixteenthsMantissa<TOps, TVec, T>(s, shifted, scale, negated: false), u);
    }

    /// <summary>
    /// 2^(j/16)·e^(k·s) from <see cref="ReduceToSixteenths"/>'s s and bit pattern, as T + (T·(e^(k·s) − 1) + T_low)
    /// with T, T_low the table entry and its remainder, rounded once; or 2^(−j/16)·e^(−k·s) when
    /// <paramref name="negated"/> (sigmoid's e⁻ˣ). k = <paramref name="scale"/> and negated are JIT-time constants.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SixteenthsMantissa<TOps, TVec, T>(TVec s, TVec shifted, double scale, bool negated)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec power = TOps.Permute16(Table<TOps, TVec, T>(negated ? NegativeSixteenthPowers : SixteenthPowers), shifted);
        TVec powerLow = TOps.Permute16(Table<TOps, TVec, T>(negated ? NegativeSixteenthPowersLow : SixteenthPowersLow), shifted);
        TVec expMinusOne = ExpMinusOneOfSmall<TOps, TVec, T>(s, negated ? -scale : scale);
        return TOps.Add(TOps.MultiplyAdd(power, expMinusOne, powerLow), power);
    }

    /// <summary>
    /// For e^(k·x), k = <paramref name="scale"/> a power of two (1; −1 for σ′, −2 for tanh and tanh′): u = k·x/ln 2 rounded to a
    /// multiple of 1/16 (|k·x| &lt; 2¹⁷), its bit pattern <paramref name="shifted"/> carrying 16u mod 16 in the low
    /// bits, and s = x − u·ln2/k (Cody–Waite, the product exact) such that k·x = u·ln 2 + k·s: returns s, |k·s| ≤ ln2/32.
    /// </summary>
    /// <remarks>Dividing ln 2's parts by k is exact, so k·x is never formed and s is exactly the r of k = 1 over k.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ReduceToSixteenths<TOps, TVec, T>(TVec x, double scale, out TVec u, out TVec shifted)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec magic = Constant<TOps, TVec, T>(786432.0); // 1.5·2¹⁹: its ULP is 1/16
        shifted = TOps.MultiplyAdd(x, Constant<TOps, TVec, T>(scale * 1.4426950408889634), magic);
        u = TOps.Subtract(shifted, magic);
        TVec reduced = TOps.MultiplyAdd(u, Constant<TOps, TVec, T>(-0.693359375 / scale), x);
        return TOps.MultiplyAdd(u, Constant<TOps, TVec, T>(2.12194440054690583e-4 / scale), reduced);
    }

    /// <summary>
    /// e^(k·s) − 1 for |k·s| ≤ ln2/32, k = <paramref name="scale"/> a power of two (a JIT-time constant): with r = k·s,
    /// r·(1 + r·(c₀ + c₁r)) = s·(k + s·(k²c₀ + k³c₁s)), c₀, c₁ fitted here as for <see cref="Exp"/> (1.6e−9 relative
    /// to eʳ). The powers of k scale exactly, so every k rounds as k = 1 does at r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpMinusOneOfSmall<TOps, TVec, T>(TVec s, double scale)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double k = scale;
        TVec poly = TOps.MultiplyAdd(s, Constant<TOps, TVec, T>(k * k * k * 0.16666847467422485), Constant<TOps, TVec, T>(k * k * 0.5000163316726685));
        return TOps.Multiply(s, TOps.MultiplyAdd(s, poly, Constant<TOps, TVec, T>(k)));
    }

    /// <summary>A sixteen-entry float table as one vector, for <see cref="IVectorOps{TVec, T}.Permute16"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Table<TOps, TVec, T>(ReadOnlySpan<float> table)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TOps.Load(in Unsafe.As<float, T>(ref MemoryMarshal.GetReference(table)));

    /// <summary>2^(j/16) for j = 0..15, rounded to float.</summary>
    public static ReadOnlySpan<float> SixteenthPowers =>
    [
        1.0f, 1.0442737340927124f, 1.0905077457427979f, 1.1387885808944702f, 1.1892070770263672f, 1.2418577671051025f,
        1.2968395948410034f, 1.3542555570602417f, 1.4142135381698608f, 1.4768261909484863f, 1.5422108173370361f,
        1.610490322113037f, 1.6817928552627563f, 1.7562521696090698f, 1.8340080976486206f, 1.9152065515518188f,
    ];

    /// <summary>2^(j/16) less its float rounding, rounded to float (mpmath).</summary>
    public static ReadOnlySpan<float> SixteenthPowersLow =>
    [
        0.0f, 4.8334701574503924e-08f, -1.3077539939843064e-08f, 5.386222312608879e-08f, 3.797635272917432e-08f,
        4.496838101886169e-08f, -4.018999533172973e-08f, -1.0123349269974824e-08f, 2.4203234971764687e-08f,
        -4.500898853621038e-08f, 8.070904833346049e-09f, 9.836217174097328e-09f, -2.4755326677450284e-08f,
        -9.235770370707996e-09f, -1.1239277952768134e-08f, 9.845328108326612e-09f,
    ];

    /// <summary>2^(−j/16) for j = 0..15, rounded to float.</summary>
    public static ReadOnlySpan<float> NegativeSixteenthPowers =>
    [
        1.0f, 0.9576032757759094f, 0.9170040488243103f, 0.8781260848045349f, 0.8408964276313782f, 0.8052451610565186f,
        0.7711054086685181f, 0.7384130954742432f, 0.7071067690849304f, 0.6771277785301208f, 0.6484197974205017f,
        0.6209288835525513f, 0.5946035385131836f, 0.5693942904472351f, 0.5452538728713989f, 0.5221368670463562f,
    ];

    /// <summary>2^(−j/16) less its float rounding, rounded to float (mpmath).</summary>
    public static ReadOnlySpan<float> NegativeSixteenthPowersLow =>
    [
        0.0f, 4.922664054163306e-09f, -5.619638976384067e-09f, -4.617885185353998e-09f, -1.2377663338725142e-08f,
        4.918108587048664e-09f, 4.035452416673024e-09f, -2.250449426810519e-08f, 1.2101617485882343e-08f,
        -5.061674634987412e-09f, -2.0094997665864867e-08f, 2.2484190509430846e-08f, 1.898817636458716e-08f,
        2.6931111563044396e-08f, -6.538769969921532e-09f, 2.4167350787251962e-08f,
    ];
}
