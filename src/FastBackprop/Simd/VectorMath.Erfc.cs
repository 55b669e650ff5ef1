namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// erfc(x) = 1 − erf(x), accurate relative to itself over the whole range (≤ 2 ULP float): 2 at −∞, 0 from
    /// x ≈ 10.05 (float) or 26.6 (double) on, NaN → NaN.
    /// </summary>
    /// <remarks>For x &lt; 0, erfc(x) = 2 − erfc(|x|) ≥ 1, with no cancellation. See <see cref="ErfcSplit"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Erfc<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec a = TOps.Min(ErfcArgumentLimit<TOps, TVec, T>(), TOps.Abs(x));
        TVec high = SquareSplit<TOps, TVec, T>(a, out TVec low);
        TVec m = ErfcSplit<TOps, TVec, T>(a, high, low, out TVec n, out _);
        TVec tail = TOps.ScaleByPowerOfTwo(m, n);
        return TOps.Select(TOps.LessThan(x, TOps.Create(T.Zero)), TOps.Subtract(Constant<TOps, TVec, T>(2.0), tail), tail);
    }

    /// <summary>erf(x), odd, accurate relative to itself (≤ 2 ULP float): ±1 for large |x|, NaN → NaN.</summary>
    /// <remarks>
    /// |x| &lt; ½: the Taylor series x·Σ (−1)ʲ x²ʲ·2/(√π·j!·(2j + 1)), formed as x + x·r (r = the series − 1, ≤ 0.13) so
    /// that the leading term is exact (cut where the next term is below 1e−9 (float) or
    /// 1e−19 (double) relative). Elsewhere 1 − erfc(|x|) ≥ 0.52 with erfc(|x|) ≤ 0.48: no cancellation to speak of.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Erf<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec small = ErfSeries<TOps, TVec, T>(x);
        TVec a = TOps.Min(ErfcArgumentLimit<TOps, TVec, T>(), TOps.Abs(x));
        TVec high = SquareSplit<TOps, TVec, T>(a, out TVec low);
        TVec m = ErfcSplit<TOps, TVec, T>(a, high, low, out TVec n, out _);
        TVec large = TOps.CopySign(TOps.Subtract(TOps.Create(T.One), TOps.ScaleByPowerOfTwo(m, n)), x);
        return TOps.Select(TOps.LessThan(TOps.Abs(x), Constant<TOps, TVec, T>(0.5)), small, large);
    }

    /// <summary>erf(x) for |x| &lt; ½ by its Taylor series (see <see cref="Erf"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ErfSeries<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec z = TOps.Multiply(x, x);
        ReadOnlySpan<double> coefficients = typeof(T) == typeof(float) ? ErfFloatCoefficients : ErfDoubleCoefficients;
        TVec poly = Constant<TOps, TVec, T>(coefficients[0]);
        for (int i = 1; i < coefficients.Length; i++)
        {
            poly = TOps.MultiplyAdd(poly, z, Constant<TOps, TVec, T>(coefficients[i]));
        }

        return TOps.MultiplyAdd(x, poly, x);
    }

    /// <summary>
    /// erfc(a) for a in [0, <see cref="ErfcArgumentLimit"/>] as <c>M·2ⁿ</c>: returns M and sets <paramref name="n"/>,
    /// given a² = <paramref name="squareHigh"/> + <paramref name="squareLow"/> with the high part exact, so that
    /// callers can pass a rounded a (GELU passes |x|/√2, whose square x²/2 it splits exactly) and multiply M by
    /// other factors before scaling once. <paramref name="gaussian"/> is e^(−a²) likewise: e^(−a²) = gaussian·2ⁿ.
    /// </summary>
    /// <remarks>
    /// erfc(a) = e^(−a²)·P(u)/(1 + 2a) with u = (a − K)/(a + K), which maps [0, ∞) onto [−1, 1) (the form of
    /// Shepherd and Laframboise, 1981; coefficients fitted here by relative least squares in mpmath on Chebyshev
    /// nodes, rounding and refitting one coefficient at a time). Float: K = 2.5, degree 10, a ≤ 10.7, fit error
    /// 2.9e−8 relative; double: K = 4, degree 24, a ≤ 28.5, 3.8e−17. The error of a rounded a moves P(u)/(1 + 2a)
    /// by at most its own relative size; the exponent must not be rounded, hence e^(−a²) = e^(−hi)·(1 − lo). Below
    /// a = ½ the result is 1 − erf(a) from the series instead, with n = 0.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ErfcSplit<TOps, TVec, T>(TVec a, TVec squareHigh, TVec squareLow, out TVec n, out TVec gaussian)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // P's last step c₀ + u·R: one fused multiply-add rounds once; without FMA the exact pair, summed, does.
        TVec poly;
        if (MultiplyAddIsFused)
        {
            poly = TOps.MultiplyAdd(ErfcFitHead<TOps, TVec, T>(a, out TVec u), u, ErfcFitConstant<TOps, TVec, T>());
        }
        else
        {
            poly = ErfcFit<TOps, TVec, T>(a, out TVec polyLow);
            poly = TOps.Add(poly, polyLow);
        }

        TVec e = ExpSplit<TOps, TVec, T>(TOps.Negate(squareHigh), out TVec exponent);
        TVec g = TOps.MultiplyAdd(TOps.Negate(e), squareLow, e);
        TVec tail = TOps.Divide(TOps.Multiply(g, poly), TOps.MultiplyAdd(a, Constant<TOps, TVec, T>(2.0), TOps.Create(T.One)));

        // Below ½, 1 − erf(a) from the series is more accurate than the fit's Horner sum near u = −1.
        TVec small = TOps.LessThan(a, Constant<TOps, TVec, T>(0.5));
        n = TOps.Select(small, TOps.Create(T.Zero), exponent);
        gaussian = TOps.Select(small, TOps.ScaleByPowerOfTwo(g, exponent), g);
        return TOps.Select(small, TOps.Subtract(TOps.Create(T.One), ErfSeries<TOps, TVec, T>(a)), tail);
    }

    /// <summary>
    /// <c>factor · Q(|x|)</c> = result·2ⁿ, Q(t) = ½erfc(t/√2) the normal upper tail (exact GELU's x·Φ(x) is x·Q(−x)
    /// for x &lt; 0 and x − x·Q(x) otherwise), to about 2 ULP: exp's error, the fit's 2.9e−8 (float) and one rounding.
    /// |x| at most 15 (float) or 40 (double); the result is 0 beyond erfc's underflow.
    /// </summary>
    /// <remarks>
    /// The form of <see cref="ErfcSplit"/> at a = |x|/√2, with every step that would round carried as an exact pair:
    /// a² = x²/2 (the low part joins exp's reduced argument), 1 + 2a = 1 + √2·|x| with √2 as hi + lo, the products
    /// ½factor·e^(−a²)·P and P's last Horner step; the quotient is then corrected by its exact residual. The rounded a
    /// feeds only u = (a − K)/(a + K), where P varies by at most 0.05× a's relative error. Below a = ½, as in
    /// <see cref="ErfcSplit"/>, ½factor·(1 − erf(a)) from the series with n = 0. The plain chain of roundings reached
    /// 5.3 ULP in exact GELU (x = −2.776).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplyByNormalTail<TOps, TVec, T>(TVec factor, TVec x, out TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        TVec magnitude = TOps.Abs(x);
        TVec halfFactor = TOps.Multiply(factor, Constant<TOps, TVec, T>(0.5));
        TVec a = TOps.Min(ErfcArgumentLimit<TOps, TVec, T>(), TOps.Multiply(magnitude, Constant<TOps, TVec, T>(0.7071067811865476)));

        // e^(−x²/2) = e·2ⁿ.
        TVec square = TwoProduct<TOps, TVec, T>(magnitude, magnitude, out TVec squareLow);
        TVec half = Constant<TOps, TVec, T>(-0.5);
        TVec e = ExpSplit<TOps, TVec, T>(TOps.Multiply(square, half), TOps.Multiply(squareLow, half), out TVec exponent);

        // numerator + numeratorLow = ½factor·e·P.
        TVec poly = ErfcFit<TOps, TVec, T>(a, out TVec polyLow);
        TVec head = TwoProduct<TOps, TVec, T>(halfFactor, e, out TVec headLow);
        TVec numerator = TwoProduct<TOps, TVec, T>(head, poly, out TVec numeratorLow);
        numeratorLow = TOps.MultiplyAdd(headLow, poly, TOps.MultiplyAdd(head, polyLow, numeratorLow));

        // denominator + denominatorLow = 1 + √2·|x|, √2 = 1.4142135f + 2.4203234e−8 (double: − 9.667e−17).
        TVec root = TwoProduct<TOps, TVec, T>(magnitude, Constant<TOps, TVec, T>(1.4142135623730951), out TVec rootLow);
        rootLow = TOps.MultiplyAdd(magnitude, Constant<TOps, TVec, T>(single ? 2.420323420895794e-08 : -9.667293313452913e-17), rootLow);
        TVec denominator = TwoSum<TOps, TVec, T>(TOps.Create(T.One), root, out TVec denominatorLow);
        denominatorLow = TOps.Add(denominatorLow, rootLow);

        TVec q = TOps.Divide(numerator, denominator);
        TVec remainder = TOps.MultiplyAdd(
            TOps.Negate(q), denominatorLow, TOps.Add(DivisionResidual<TOps, TVec, T>(numerator, q, denominator), numeratorLow));
        TVec tail = TOps.Add(q, TOps.Divide(remainder, denominator));

        TVec small = TOps.LessThan(a, Constant<TOps, TVec, T>(0.5));
        n = TOps.Select(small, TOps.Create(T.Zero), exponent);
        return TOps.Select(small, TOps.Multiply(halfFactor, TOps.Subtract(TOps.Create(T.One), ErfSeries<TOps, TVec, T>(a))), tail);
    }

    /// <summary>
    /// P(u) of <see cref="ErfcSplit"/> at u = (a − K)/(a + K) as <c>result + low</c>: the last Horner step c₀ + u·R is
    /// an exact product and sum; the earlier steps round, but their errors enter through u·R, small beside c₀ ≈ 1.26.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ErfcFit<TOps, TVec, T>(TVec a, out TVec low)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec product = TwoProduct<TOps, TVec, T>(ErfcFitHead<TOps, TVec, T>(a, out TVec u), u, out TVec productLow);
        TVec sum = TwoSum<TOps, TVec, T>(ErfcFitConstant<TOps, TVec, T>(), product, out TVec sumLow);
        low = TOps.Add(sumLow, productLow);
        return sum;
    }

    /// <summary>
    /// R(u) of the fit P(u) = c₀ + u·R(u) (Horner on every coefficient but the constant), at u = (a − K)/(a + K): the
    /// caller takes the last step, fused (<see cref="ErfcSplit"/> with FMA) or as an exact pair (<see cref="ErfcFit"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ErfcFitHead<TOps, TVec, T>(TVec a, out TVec u)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<double> coefficients = typeof(T) == typeof(float) ? ErfcFloatCoefficients : ErfcDoubleCoefficients;
        TVec k = Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? 2.5 : 4.0);
        u = TOps.Divide(TOps.Subtract(a, k), TOps.Add(a, k));
        TVec rest = Constant<TOps, TVec, T>(coefficients[0]);
        for (int i = 1; i < coefficients.Length - 1; i++)
        {
            rest = TOps.MultiplyAdd(rest, u, Constant<TOps, TVec, T>(coefficients[i]));
        }

        return rest;
    }

    /// <summary>c₀, the constant term of the fit P.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ErfcFitConstant<TOps, TVec, T>()
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? ErfcFloatCoefficients[^1] : ErfcDoubleCoefficients[^1]);

    /// <summary>
    /// x² = hi + lo with |lo| ≤ ½ULP(hi), without FMA: Veltkamp's split x = xₕ + xₗ (xₕ with 12 (float) or 26
    /// (double) bits) makes xₕ² exact and xₗ·(x + xₕ) small; a fast two-sum then renormalises, so hi is x² rounded
    /// and lo its error, small enough for e^(−lo) = 1 − lo. |x| must stay below 2¹⁰⁰.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SquareSplit<TOps, TVec, T>(TVec x, out TVec low)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec head = SplitHigh<TOps, TVec, T>(x);
        TVec headSquare = TOps.Multiply(head, head);
        TVec rest = TOps.Multiply(TOps.Subtract(x, head), TOps.Add(x, head));
        TVec high = TOps.Add(headSquare, rest);
        low = TOps.Subtract(rest, TOps.Subtract(high, headSquare));
        return high;
    }

    /// <summary>The largest argument <see cref="ErfcSplit"/> accepts: erfc underflows to 0 below it in either type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ErfcArgumentLimit<TOps, TVec, T>()
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? 10.7 : 28.5);

    /// <summary>erf's Taylor coefficients 2(−1)ʲ/(√π·j!·(2j + 1)) for float, highest degree first, the last less 1.</summary>
    private static ReadOnlySpan<double> ErfFloatCoefficients =>
    [
        0.00012055332981789664, -0.0008548327023450853, 0.005223977625442188, -0.026866170645131252,
        0.11283791670955126, -0.37612638903183754, 0.1283791670955126,
    ];

    /// <summary>The same for double.</summary>
    private static ReadOnlySpan<double> ErfDoubleCoefficients =>
    [
        9.422759064650411e-11, -1.2290555301717928e-09, 1.4807192815879218e-08, -1.6365844691234924e-07,
        1.6462114365889248e-06, -1.492565035840625e-05, 0.00012055332981789664, -0.0008548327023450853,
        0.005223977625442188, -0.026866170645131252, 0.11283791670955126, -0.37612638903183754,
        0.1283791670955126,
    ];

    /// <summary>P(u) for float, highest degree first.</summary>
    private static ReadOnlySpan<double> ErfcFloatCoefficients =>
    [
        9.675744513515383e-05, 0.0006541329203173518, 0.00035209741326980293, -0.004456637892872095,
        0.0009594762814231217, 0.03278803080320358, -0.10296572744846344, 0.15762671828269958,
        -0.09902524948120117, -0.12235666811466217, 1.2648382186889648,
    ];

    /// <summary>P(u) for double, highest degree first.</summary>
    private static ReadOnlySpan<double> ErfcDoubleCoefficients =>
    [
        -4.050514558351637e-10, 6.172341747730575e-11, 2.1751220148707363e-09, -1.0148401192583874e-08,
        -1.628058162911676e-08, 1.0448922673092468e-07, 7.066740750193066e-08, -8.210469084846153e-07,
        2.9796367811913736e-07, 5.7076250566944125e-06, -1.1224584221858353e-05, -2.4398578423014485e-05,
        0.00015062267821151494, -0.00019925681200835777, -0.0007577735445833855, 0.005031969990046176,
        -0.01619773401590571, 0.0371675155369806, -0.06633036581640635, 0.09373283499833991,
        -0.10103906603607134, 0.06809705425469378, 0.015379652102613751, -0.13962111684056253,
        1.2329951186255526,
    ];
}
