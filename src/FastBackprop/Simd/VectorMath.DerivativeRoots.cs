namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// <paramref name="derivative"/>, the plain formula's SiLU′, tanh-GELU′ or exact GELU′ (<paramref name="function"/>),
    /// with <see cref="DerivativeNearRoot"/> in its place on <see cref="NearDerivativeRoot"/>'s window around the root.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec WithRootWindow<TOps, TVec, T>(TVec x, GatedActivation function, TVec derivative)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TOps.Select(NearDerivativeRoot<TOps, TVec, T>(x, function), DerivativeNearRoot<TOps, TVec, T>(x, function), derivative);

    /// <summary>
    /// SiLU′, tanh-GELU′ or exact GELU′ (<paramref name="function"/>) near its root, where the derivative is the
    /// small difference of two terms near ½ and the plain formula's few ULP of those terms become thousands of ULP
    /// of the result: f′(x) = (d − δ)·h(d), d = x − x₀ₕ exact (x lies within a factor 2 of x₀ₕ), δ = x₀ − x₀ₕ, h a
    /// polynomial with its constant term as hi + lo. Errors: the fit's (≤ 3.4e−8 float, 7e−17 double), d − δ and h's
    /// last sum and the product, one rounding each: about 2 ULP. Valid on <see cref="NearDerivativeRoot"/>'s window.
    /// </summary>
    /// <remarks>The tables come from <c>tools/fits/derivative_roots.py</c>: x₀ₕ, δ, the constant's low part, then h's coefficients, highest first.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec DerivativeNearRoot<TOps, TVec, T>(TVec x, GatedActivation function)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        ReadOnlySpan<double> table = function switch
        {
            GatedActivation.Silu => single ? SiluRootFloat : SiluRootDouble,
            GatedActivation.GeluTanh => single ? GeluTanhRootFloat : GeluTanhRootDouble,
            _ => single ? GeluErfRootFloat : GeluErfRootDouble,
        };
        TVec d = TOps.Subtract(x, Constant<TOps, TVec, T>(table[0]));
        TVec rest = Constant<TOps, TVec, T>(table[3]);
        for (int i = 4; i < table.Length - 1; i++)
        {
            rest = TOps.MultiplyAdd(rest, d, Constant<TOps, TVec, T>(table[i]));
        }

        TVec h = TOps.Add(Constant<TOps, TVec, T>(table[^1]), TOps.MultiplyAdd(rest, d, Constant<TOps, TVec, T>(table[2])));
        return TOps.Multiply(TOps.Subtract(d, Constant<TOps, TVec, T>(table[1])), h);
    }

    /// <summary>
    /// Lanes where <see cref="DerivativeNearRoot"/> replaces the plain formula: x in [−1.8, −0.9] for SiLU′ (root
    /// −1.2785), [−1.4, −0.5] for both GELU′ (roots −0.7525, −0.7518); outside, the plain formulas stay within 7 ULP
    /// (float; the largest, tanh-GELU′, 6.76 at x ≈ −1.69).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec NearDerivativeRoot<TOps, TVec, T>(TVec x, GatedActivation function)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double center = function == GatedActivation.Silu ? -1.35 : -0.95;
        return TOps.LessThan(TOps.Abs(TOps.Subtract(x, Constant<TOps, TVec, T>(center))), Constant<TOps, TVec, T>(0.45));
    }

    /// <summary>Silu′ near its root -1.2784645427610738 (float, degree 7, fit error 1.2e-08 relative).</summary>
    private static ReadOnlySpan<double> SiluRootFloat =>
    [
        -1.2784645557403564, 1.2979282537628478e-08, 2.341001559269529e-10, 0.0001930195721797645,
        0.0007875928422436118, 0.00012324827548582107, -0.006605696398764849, -0.015222364105284214,
        0.018874792382121086, 0.14664879441261292, 0.2178117036819458,
    ];

    /// <summary>Silu′ near its root -1.2784645427610738 (double, degree 16, fit error 2.1e-17 relative).</summary>
    private static ReadOnlySpan<double> SiluRootDouble =>
    [
        -1.2784645427610737, -1.0946994183093437e-16, 1.2060199100040881e-17, 1.6994096264022646e-09,
        -1.822600366429955e-08, -9.100563233051988e-08, -3.0342442662127326e-08, 8.595926254144876e-07,
        2.3459523546249767e-06, -2.942587459231848e-06, -2.973353112328106e-05, -4.090534529361142e-05,
        0.00018570724284620228, 0.000798521881945802, 0.00012662741010717083, -0.006606589138358653,
        -0.015222655223188417, 0.018874814223782323, 0.1466487969969469, 0.2178117057198001,
    ];

    /// <summary>GeluTanh′ near its root -0.75246142207101626 (float, degree 8, fit error 3.4e-08 relative).</summary>
    private static ReadOnlySpan<double> GeluTanhRootFloat =>
    [
        -0.7524614334106445, 1.1339627903339533e-08, 1.312366659789177e-08, -0.0010820120805874467,
        -0.0024340630043298006, 0.005277126096189022, 0.019685721024870872, -0.0166197307407856,
        -0.11394459754228592, -0.015782849863171577, 0.38751843571662903, 0.4304000735282898,
    ];

    /// <summary>GeluTanh′ near its root -0.75246142207101626 (double, degree 16, fit error 6.7e-17 relative).</summary>
    private static ReadOnlySpan<double> GeluTanhRootDouble =>
    [
        -0.7524614220710163, 3.635560509207687e-17, 8.158690409133962e-18, -3.79733545603616e-07,
        -6.950506281283618e-07, 2.691325726103296e-06, 5.9836228869652745e-06, -1.5978848673516298e-05,
        -3.4974980917237066e-05, 0.00012425123940834138, 0.000263929114278384, -0.0009274417687353854,
        -0.0024227318953232413, 0.0052610592424186566, 0.019682309460561067, -0.016619328342805977,
        -0.11394448308096326, -0.01578285352184975, 0.38751844613578895, 0.4304000910248585,
    ];

    /// <summary>GeluErf′ near its root -0.75179152469356446 (float, degree 8, fit error 1.3e-08 relative).</summary>
    private static ReadOnlySpan<double> GeluErfRootFloat =>
    [
        -0.7517915368080139, 1.211444988769017e-08, -9.902283437668302e-09, -0.000876235484611243,
        -0.002265599323436618, 0.004548740107566118, 0.01942603290081024, -0.01477142982184887,
        -0.11400838196277618, -0.018199684098362923, 0.38828498125076294, 0.43149399757385254,
    ];

    /// <summary>GeluErf′ near its root -0.75179152469356446 (double, degree 16, fit error 7.4e-17 relative).</summary>
    private static ReadOnlySpan<double> GeluErfRootDouble =>
    [
        -0.7517915246935645, 1.4956759177009883e-17, 2.1617908393455968e-17, -2.0298089719927388e-08,
        2.2712421436585143e-08, 5.865232663511545e-07, 4.35848077217495e-07, -7.750521086068355e-06,
        -1.121550353781026e-05, 8.615944663892108e-05, 0.00018633983801022617, -0.0007448268244162221,
        -0.0022395380711939463, 0.0045392283783913965, 0.019421679838234746, -0.014771522148229708,
        -0.11400823329722196, -0.018199676398671184, 0.388284982990552, 0.4314939923140469,
    ];
}

/// <summary>The activations whose derivative <see cref="VectorMath.WithRootWindow"/> evaluates near its root.</summary>
internal enum GatedActivation
{
    Silu,
    GeluTanh,
    GeluErf,
}
