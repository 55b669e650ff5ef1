using FastBackprop.Simd;
using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Simd;

public class ExpTests
{
    /// <summary>
    /// ≤ 1 ULP measured with FMA (0.88); without FMA (SSE-only x86) the Horner steps round twice (1.17), so the
    /// bound is 2 ULP, half the 4.
    /// </summary>
    private const double FloatBound = 2.0;

    /// <summary>Double, against Math.Exp (glibc, itself ≤ 1 ULP): measured ≤ 1.5.</summary>
    private const double DoubleBound = 2.5;

    [Fact]
    public void Float_exp_is_within_2_ulp_of_double_across_the_range_and_at_the_specials()
    {
        float[] x = [.. Sweep(-105, 90, 200_000).Select(v => (float)v), .. Inputs.FloatSpecials];
        float[] y = new float[x.Length];
        ElementwiseDriver.Run(default(ExpOperator<float>), x, y);
        double worst = Enumerable.Range(0, x.Length).Max(i => Ulp.Error(y[i], Math.Exp(x[i])));
        Assert.True(worst <= FloatBound, $"worst {worst:F3} ULP on path {SimdInfo.ActivePath}");
    }

    [Fact]
    public void Double_exp_is_within_2_5_ulp_of_libm_across_the_range_and_at_the_specials()
    {
        double[] x = [.. Sweep(-746, 710, 200_000), .. Inputs.DoubleSpecials];
        double[] y = new double[x.Length];
        ElementwiseDriver.Run(default(ExpOperator<double>), x, y);
        double worst = Enumerable.Range(0, x.Length).Max(i => Ulp.Error(y[i], Math.Exp(x[i])));
        Assert.True(worst <= DoubleBound, $"worst {worst:F3} ULP on path {SimdInfo.ActivePath}");
    }

    [Fact]
    public void Exp_overflows_to_infinity_underflows_to_zero_and_keeps_nan()
    {
        float[] x = [89f, float.PositiveInfinity, -104f, float.NegativeInfinity, float.NaN, 0f];
        float[] y = new float[x.Length];
        ElementwiseDriver.Run(default(ExpOperator<float>), x, y);
        Assert.Equal([float.PositiveInfinity, float.PositiveInfinity, 0f, 0f, float.NaN, 1f], y);
    }

    private static IEnumerable<double> Sweep(double low, double high, int count) =>
        Enumerable.Range(0, count).Select(i => low + ((high - low) * i / count));

    private readonly struct ExpOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => VectorMath.Exp<TOps, TVec, T>(x);
    }
}
