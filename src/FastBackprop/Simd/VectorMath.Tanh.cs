namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// tanh(x) with relative accuracy everywhere, 0 included (float over all inputs: ≤ 2.52 ULP on AVX-512, 2.50
    /// elsewhere): ±1 for large |x| and ±∞, NaN → NaN, the sign of x kept (tanh(−0) = −0).
    /// </summary>
    /// <remarks>
    /// With a = |x| clamped at 9 (float) or 20 (double), where tanh is 1 to the last bit or its neighbour, and
    /// m = −expm1(−2a)/2 in [0, ½): tanh(a) = m/(1 − m). No overflow (the exponent is never positive), no
    /// cancellation near 0 (expm1 keeps m ≈ a relative), and the denominator lies in (½, 1].
    /// expm1(−2a) = 2ⁿ·(eʳ − 1) + (2ⁿ − 1) with n = round(−2a/ln 2) ≤ 0 and r = −2a − n·ln 2 (see <see cref="Expm1"/>),
    /// so m = h·(−p) + (½ − h) with h = 2ⁿ⁻¹ and −p = 1 − eʳ = ρ − ρ²·Q(−ρ) in ρ = −r = 2a + n·ln 2: reducing 2a
    /// directly spares the multiplication by −2, and the sign flips ride on the polynomial's coefficients.
    /// <see cref="TanhWithDerivative"/> reduces a clamped where tanh′ needs it instead, at 52 (float) or 373 (double), and
    /// on the float table path (<see cref="TanhReductionBySixteenths"/>) so does tanh itself; from the clamp above on tanh
    /// rounds to 1 either way (the same bits over all 2³² floats on both kinds of path).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (UsesSixteenthsTable<TOps, TVec, T>())
        {
            TVec s = TanhReductionBySixteenths<TOps, TVec, T>(x, out TVec u, out TVec tableIndex);
            return TOps.CopySign(TanhBySixteenths<TOps, TVec, T>(s, u, tableIndex), x);
        }

        bool single = typeof(T) == typeof(float);
        TVec oneMinusExp = TanhReductionByExpm1<TOps, TVec, T>(x, single ? 9.0 : 20.0, out TVec shifted, out _);
        TVec h = TOps.PowerOfTwoFromShifted(TOps.Subtract(shifted, TOps.Create(T.One)));
        return TOps.CopySign(TanhFromExpm1<TOps, TVec, T>(oneMinusExp, h), x);
    }

    /// <summary>
    /// tanh′(x) = 1 − tanh²(x) = 4e/(1 + e)² with e = e^(−2|x|): accurate where tanh(x) rounds to ±1 and 1 − y² would
    /// be 0 (|x| ≳ 9 in float), 0 for ±∞, NaN → NaN. e comes from tanh's own reduction (the table of sixteenths, or
    /// expm1's polynomial elsewhere), so <see cref="TanhWithDerivative"/> computes both from one. Float: ≤ 4.22 ULP
    /// over all inputs on AVX2, 4.04 over every fourth on AVX-512 and AVX2, 3.81 over every 64th without FMA.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec TanhDerivative<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (UsesSixteenthsTable<TOps, TVec, T>())
        {
            TVec s = TanhReductionBySixteenths<TOps, TVec, T>(x, out TVec u, out TVec tableIndex);
            return TanhDerivativeBySixteenths<TOps, TVec, T>(s, u, tableIndex);
        }

        // tanh′'s clamp: a = 52 (float) or 373 (double), where e^(−2a) rounds to 0.
        bool single = typeof(T) == typeof(float);
        TVec oneMinusExp = TanhReductionByExpm1<TOps, TVec, T>(x, single ? 52.0 : 373.0, out _, out TVec n);
        return TanhDerivativeFromExpm1<TOps, TVec, T>(oneMinusExp, n);
    }

    /// <summary>
    /// tanh(x), and tanh′(x) in <paramref name="derivative"/>, with the bits of <see cref="Tanh"/> and
    /// <see cref="TanhDerivative"/>, from one reduction of |x| on either kind of path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec TanhWithDerivative<TOps, TVec, T>(TVec x, out TVec derivative)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (UsesSixteenthsTable<TOps, TVec, T>())
        {
            TVec s = TanhReductionBySixteenths<TOps, TVec, T>(x, out TVec u, out TVec tableIndex);
            derivative = TanhDerivativeBySixteenths<TOps, TVec, T>(s, u, tableIndex);
            return TOps.CopySign(TanhBySixteenths<TOps, TVec, T>(s, u, tableIndex), x);
        }

        // One reduction at tanh′'s clamp. Past tanh's own clamp (a = 9 in float, 20 in double: n ≤ −26, −58), h is held
        // at that n: there m = h·(1 − eʳ) + (½ − h) rounds to ½ and tanh to 1, as at the clamp itself (|h| ≤ ¼ ulp of
        // ½), so the bits are Tanh's (identical over all 2³² floats on AVX2), and h stays a normal number.
        bool single = typeof(T) == typeof(float);
        TVec oneMinusExp = TanhReductionByExpm1<TOps, TVec, T>(x, single ? 52.0 : 373.0, out TVec shifted, out TVec n);
        derivative = TanhDerivativeFromExpm1<TOps, TVec, T>(oneMinusExp, n);
        TVec lowest = Constant<TOps, TVec, T>(single ? 12582912.0 - 26.0 : 6755399441055744.0 - 58.0);
        TVec h = TOps.PowerOfTwoFromShifted(TOps.Subtract(TOps.Max(shifted, lowest), TOps.Create(T.One)));
        return TOps.CopySign(TanhFromExpm1<TOps, TVec, T>(oneMinusExp, h), x);
    }

    /// <summary>
    /// The reduction and polynomial of tanh and tanh′ on every path but the table one: a = |x| clamped at
    /// <paramref name="clamp"/>; <paramref name="n"/> = round(−2a/ln 2) and <paramref name="shifted"/> = magic + n;
    /// returns 1 − eʳ = ρ − ρ²·Q(−ρ) for r = −ρ = −2a − n·ln 2 in [−ln2/2, ln2/2], so that
    /// e^(−2a) = 2ⁿ·(1 − (1 − eʳ)) and expm1(−2a) = 2ⁿ·(eʳ − 1) + (2ⁿ − 1) (see <see cref="Tanh"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec TanhReductionByExpm1<TOps, TVec, T>(TVec x, double clamp, out TVec shifted, out TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        TVec a = TOps.Min(Constant<TOps, TVec, T>(clamp), TOps.Abs(x));
        TVec twiceA = TOps.Add(a, a);
        TVec magic = Constant<TOps, TVec, T>(single ? 12582912.0 : 6755399441055744.0); // 1.5·2²³, 1.5·2⁵²
        shifted = TOps.MultiplyAdd(a, Constant<TOps, TVec, T>(-2.8853900817779268), magic); // n = round(−2a/ln 2)
        n = TOps.Subtract(shifted, magic);
        TVec rho = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? 0.693359375 : 6.93147180369123816490e-01), twiceA);
        rho = TOps.MultiplyAdd(n, Constant<TOps, TVec, T>(single ? -2.12194440054690583e-4 : 1.90821492927058770002e-10), rho);
        return TOps.MultiplyAdd(TOps.Multiply(rho, rho), Expm1Quotient<TOps, TVec, T>(rho, negated: true), rho);
    }

    /// <summary>
    /// tanh(a) = m/(1 − m) with m = −expm1(−2a)/2 = h·(1 − eʳ) + (½ − h), h = 2ⁿ⁻¹, from <see cref="TanhReductionByExpm1"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec TanhFromExpm1<TOps, TVec, T>(TVec oneMinusExp, TVec h)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec m = TOps.MultiplyAdd(oneMinusExp, h, TOps.Subtract(Constant<TOps, TVec, T>(0.5), h));
        return TOps.Divide(m, TOps.Subtract(TOps.Create(T.One), m));
    }

    /// <summary>
    /// tanh′ = 4e/(1 + e)² = e/(½ + ½e)² with e = e^(−2a) = 2ⁿ·eʳ from <see cref="TanhReductionByExpm1"/>: eʳ = 1 − (1 − eʳ)
    /// in [√½, √2] (no cancellation), then scaled by 2ⁿ, exactly unless e is subnormal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec TanhDerivativeFromExpm1<TOps, TVec, T>(TVec oneMinusExp, TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec exp = TOps.ScaleByPowerOfTwo(TOps.Subtract(TOps.Create(T.One), oneMinusExp), n);
        TVec half = Constant<TOps, TVec, T>(0.5);
        TVec halfOnePlusE = TOps.MultiplyAdd(exp, half, half);
        return TOps.Divide(exp, TOps.Multiply(halfOnePlusE, halfOnePlusE));
    }

    /// <summary>
    /// The table path's reduction, shared by tanh and tanh′: a = |x| clamped at 52 (−2a ≥ −104, where e^(−2a) is 0 in
    /// float), u = −2a/ln 2 rounded to sixteenths, its bit pattern <paramref name="tableIndex"/>, and s with
    /// −2a = u·ln 2 − 2s (<see cref="ReduceToSixteenths"/> with k = −2, so 2a is never formed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec TanhReductionBySixteenths<TOps, TVec, T>(TVec x, out TVec u, out TVec tableIndex)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec a = TOps.Min(Constant<TOps, TVec, T>(52.0), TOps.Abs(x));
        return ReduceToSixteenths<TOps, TVec, T>(a, scale: -2.0, out u, out tableIndex);
    }

    /// <summary>
    /// tanh′ = 4e/(1 + e)² = e/(½ + ½e)² (one multiplication fewer) with e = e^(−2a) = 2^⌊u⌋·2^(j/16)·e^(−2s), the
    /// exp of <see cref="ExpBySixteenths"/> on <see cref="TanhReductionBySixteenths"/>'s u and s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec TanhDerivativeBySixteenths<TOps, TVec, T>(TVec s, TVec u, TVec tableIndex)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec exp = TOps.ScaleByPowerOfTwo(SixteenthsMantissa<TOps, TVec, T>(s, tableIndex, scale: -2.0, negated: false), u);
        TVec half = Constant<TOps, TVec, T>(0.5);
        TVec halfOnePlusE = TOps.MultiplyAdd(exp, half, half);
        return TOps.Divide(exp, TOps.Multiply(halfOnePlusE, halfOnePlusE));
    }

    /// <summary>
    /// tanh(a) from <see cref="TanhReductionBySixteenths"/>, float where <see cref="IVectorOps{TVec, T}.HasPermute16"/>:
    /// a table of sixteenths and a quartic in place of expm1's degree-6 quotient: 20 vector operations instead of 23.
    /// </summary>
    /// <remarks>
    /// u = −2a/ln 2 rounded to sixteenths (<see cref="ReduceToSixteenths"/> with k = −2, so 2a is never formed) is split
    /// to the nearest integer, u = n + j/16 with j in [−8, 7], and e^(−2a) = 2ⁿ·T·e^(−2s) with T = 2^(j/16) in
    /// [√½, 1.36]. With μ = (1 − e^(−2s))/2 = s − s² + ⅔s³ − ⅓s⁴ (truncation 2e−9 relative for |s| ≤ ln2/64) and
    /// w = (1 − T)/2 + T·μ (one FMA on a table of (1 − T)/2):
    /// m = (1 − e^(−2a))/2 = (½ − 2ⁿ⁻¹) + 2ⁿ·w, one FMA on the exact ½ − 2ⁿ⁻¹, and tanh(a) = m/(1 − m).
    /// For n = 0 (2a ≤ ln2/2), m = w keeps μ's relative accuracy near 0; for n ≤ −1, m ≥ 0.16 cancels nothing.
    /// vscalef floors its exponent, so 2ⁿ scales by u + ½; the table holds 2^(j/16 − 1) at j ≥ 8.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec TanhBySixteenths<TOps, TVec, T>(TVec s, TVec u, TVec shifted)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec power = TOps.Permute16(Table<TOps, TVec, T>(NearestSixteenthPowers), shifted);
        TVec halfOneMinusPower = TOps.Permute16(Table<TOps, TVec, T>(HalfOneMinusNearestSixteenthPowers), shifted);
        TVec poly = TOps.MultiplyAdd(s, Constant<TOps, TVec, T>(-1.0 / 3.0), Constant<TOps, TVec, T>(2.0 / 3.0));
        poly = TOps.MultiplyAdd(s, poly, TOps.Create(-T.One));
        TVec mu = TOps.MultiplyAdd(TOps.Multiply(s, s), poly, s);
        TVec w = TOps.MultiplyAdd(power, mu, halfOneMinusPower);
        TVec half = Constant<TOps, TVec, T>(0.5);
        TVec scale = TOps.ScaleByPowerOfTwo(TOps.Create(T.One), TOps.Add(u, half));
        TVec m = TOps.MultiplyAdd(scale, w, TOps.MultiplyAdd(scale, Constant<TOps, TVec, T>(-0.5), half));
        return TOps.Divide(m, TOps.Subtract(TOps.Create(T.One), m));
    }

    /// <summary>2^(j/16) for j = 0..7 and 2^(j/16 − 1) for j = 8..15 (j − 16 to the nearest integer), as float.</summary>
    private static ReadOnlySpan<float> NearestSixteenthPowers =>
    [
        1.0f, 1.0442737340927124f, 1.0905077457427979f, 1.1387885808944702f, 1.1892070770263672f, 1.2418577671051025f,
        1.2968395948410034f, 1.3542555570602417f, 0.7071067690849304f, 0.7384130954742432f, 0.7711054086685181f,
        0.8052451610565186f, 0.8408964276313782f, 0.8781260848045349f, 0.9170040488243103f, 0.9576032757759094f,
    ];

    /// <summary>(1 − 2^(j/16))/2 with j as in <see cref="NearestSixteenthPowers"/>, exact values rounded to float (mpmath).</summary>
    private static ReadOnlySpan<float> HalfOneMinusNearestSixteenthPowers =>
    [
        0.0f, -0.02213689126074314f, -0.04525386542081833f, -0.0693943202495575f, -0.09460356086492538f,
        -0.12092890590429306f, -0.14841978251934052f, -0.17712777853012085f, 0.1464466154575348f, 0.1307934671640396f,
        0.11444729566574097f, 0.09737741947174072f, 0.07955179363489151f, 0.06093696132302284f, 0.04149797931313515f,
        0.02119836024940014f,
    ];
}
