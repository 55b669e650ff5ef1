namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// <c>factor · σ(z)</c> for z = <paramref name="z"/> + <paramref name="zLow"/> (a small correction: tanh-GELU
    /// computes its z to twice the working precision, since e^z amplifies z's error by |z|), rounded into the
    /// subnormals once: the gate of SiLU (z = x, zLow = 0) and tanh-GELU.
    /// </summary>
    /// <remarks>
    /// With e = e^(−|z|) = m·2ⁿ (<see cref="ExpSplit"/>): σ(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z &lt; 0. In the
    /// second case the product is formed as factor·m/(1 + e) and scaled by 2ⁿ last, so a result far below float's
    /// normal range (SiLU(−95) ≈ −5e−40) keeps every bit a subnormal can hold instead of inheriting the rounding of
    /// a subnormal e. −|z| is clamped at −130 (float) or −800 (double): callers clamp the factor so that the true
    /// product underflows to 0 wherever the clamp acts.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplyBySigmoid<TOps, TVec, T>(TVec factor, TVec z, TVec zLow)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec negative = TOps.LessThan(z, TOps.Create(T.Zero));
        TVec m = GateExponential<TOps, TVec, T>(z, zLow, negative, out TVec n);
        TVec onePlusE = TOps.Add(TOps.Create(T.One), TOps.ScaleByPowerOfTwo(m, n));
        TVec gate = TOps.Divide(TOps.Select(negative, m, TOps.Create(T.One)), onePlusE);
        return TOps.ScaleByPowerOfTwo(TOps.Multiply(factor, gate), TOps.Select(negative, n, TOps.Create(T.Zero)));
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

    /// <summary>e^(−|z + zLow|) = m·2ⁿ as e^(−|z|)·(1 ∓ zLow), the exponent argument clamped at <see cref="GateClamp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec GateExponential<TOps, TVec, T>(TVec z, TVec zLow, TVec negative, out TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec m = ExpSplit<TOps, TVec, T>(TOps.Max(GateClamp<TOps, TVec, T>(), TOps.Negate(TOps.Abs(z))), out n);
        return TOps.MultiplyAdd(m, TOps.Select(negative, zLow, TOps.Negate(zLow)), m);
    }

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
