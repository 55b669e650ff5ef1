namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// <c>factor · σ(z)</c> for z = <paramref name="z"/> + <paramref name="zLow"/> (a small correction: tanh-GELU
    /// computes its z to twice the working precision, since e^z amplifies z's error by |z|), rounded into the
    /// subnormals once: the gate of SiLU (z = x, zLow = 0) and tanh-GELU.
    /// </summary>
    /// <remarks>
    /// <para>
    /// With e = e^(−|z|) = m·2ⁿ (<see cref="ExpSplit{TOps, TVec, T}(TVec, out TVec)"/>): σ(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z &lt; 0. In the
    /// second case the product is formed as factor·m/(1 + e) and scaled by 2ⁿ last, so a result far below float's
    /// normal range (SiLU(−95) ≈ −5e−40) keeps every bit a subnormal can hold instead of inheriting the rounding of
    /// a subnormal e. −|z| is clamped at −130 (float) or −800 (double): callers clamp the factor so that the true
    /// product underflows to 0 wherever the clamp acts.
    /// </para>
    /// <para>
    /// Only exp's own error (≤ 0.9 ULP) and the last rounding remain: zLow joins exp's reduced argument (where it costs
    /// ≤ 0.18 ULP), the numerator factor·m and the denominator 1 + e are carried as exact pairs, and the quotient q is
    /// corrected by (p − q·s + pLow − q·sLow)/s, whose exact residual p − q·s is one FMA. That correction is at most
    /// a few ULP of q, so 1/s may be the linear estimate (24 − 8s)/17, off by at most 1/17 on s = 1 + e in [1, 2]:
    /// ≤ 0.15 ULP. Without this, the five roundings of the plain formula reached 4.2 ULP for tanh-GELU (x = −3.887).
    /// </para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplyBySigmoid<TOps, TVec, T>(TVec factor, TVec z, TVec zLow)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec negative = TOps.LessThan(z, TOps.Create(T.Zero));
        TVec zero = TOps.Create(T.Zero);
        TVec one = TOps.Create(T.One);

        TVec m = GateExponential<TOps, TVec, T>(z, zLow, negative, out TVec n);
        TVec e = TOps.ScaleByPowerOfTwo(m, n);

        // s + sLow = 1 + e exactly: 1 ≥ e, so (1 − s) + e is the sum's error.
        TVec s = TOps.Add(one, e);
        TVec sLow = TOps.Add(TOps.Subtract(one, s), e);

        // p + pLow = factor·m for z < 0, factor otherwise.
        TVec p = TwoProduct<TOps, TVec, T>(factor, TOps.Select(negative, m, one), out TVec pLow);

        TVec q = TOps.Divide(p, s);
        TVec remainder = TOps.MultiplyAdd(TOps.Negate(q), sLow, TOps.Add(DivisionResidual<TOps, TVec, T>(p, q, s), pLow));
        TVec reciprocal = TOps.MultiplyAdd(s, Constant<TOps, TVec, T>(-8.0 / 17.0), Constant<TOps, TVec, T>(24.0 / 17.0));

        // An infinite factor (SiLU(±∞)) makes the remainder NaN while q is right; a NaN input leaves q NaN anyway.
        remainder = TOps.Select(TOps.IsNaN(remainder), zero, remainder);
        TVec gate = TOps.MultiplyAdd(remainder, reciprocal, q);
        return TOps.ScaleByPowerOfTwo(gate, TOps.Select(negative, n, zero));
    }

    /// <summary>
    /// d/dx [x·σ(z(x))] = σ(z) + x·σ′(z)·z′ given x, z and <paramref name="slope"/> = z′(x): SiLU′ (z = x, z′ = 1) and
    /// tanh-GELU′. Clamps and scaling as in <see cref="MultiplyBySigmoid"/>.
    /// </summary>
    /// <remarks>
    /// With e = e^(−|z|) and s = 1 (z ≥ 0) or e (z &lt; 0): σ = s/(1 + e) and σ′ = e/(1 + e)², so the derivative is
    /// (s·(1 + e) + x·z′·e)/(1 + e)², both numerator terms carrying 2ⁿ when z &lt; 0.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SigmoidGateDerivative<TOps, TVec, T>(TVec x, TVec z, TVec zLow, TVec slope)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec negative = TOps.LessThan(z, TOps.Create(T.Zero));
        TVec m = GateExponential<TOps, TVec, T>(z, zLow, negative, out TVec n);
        TVec e = TOps.ScaleByPowerOfTwo(m, n);
        TVec onePlusE = TOps.Add(TOps.Create(T.One), e);
        TVec gate = TOps.Multiply(TOps.Select(negative, m, TOps.Create(T.One)), onePlusE);
        TVec numerator = TOps.MultiplyAdd(TOps.Multiply(x, slope), TOps.Select(negative, m, e), gate);
        TVec quotient = TOps.Divide(numerator, TOps.Multiply(onePlusE, onePlusE));
        return TOps.ScaleByPowerOfTwo(quotient, TOps.Select(negative, n, TOps.Create(T.Zero)));
    }

    /// <summary>e^(−|z + zLow|) = m·2ⁿ, zLow entering exp's reduced argument, −|z| clamped at <see cref="GateClamp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec GateExponential<TOps, TVec, T>(TVec z, TVec zLow, TVec negative, out TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ExpSplit<TOps, TVec, T>(TOps.Max(GateClamp<TOps, TVec, T>(), TOps.Negate(TOps.Abs(z))), TOps.Select(negative, zLow, TOps.Negate(zLow)), out n);

    /// <summary>
    /// The lowest exponent argument of the sigmoid gates: e^(−130) ≈ 2⁻¹⁸⁸ (float) and e^(−800) ≈ 2⁻¹¹⁵⁴ (double) lie
    /// 38 and 79 binades below the smallest subnormal, room for the callers' clamped factors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec GateClamp<TOps, TVec, T>()
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? -130.0 : -800.0);
}
