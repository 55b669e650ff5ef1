using FastBackprop.Simd;

namespace FastBackprop.Tests.Simd;

/// <summary>
/// The exact products and residuals the compensated kernels (SiLU, the GELUs) build on, on the active path: with FMA
/// they rely on <see cref="IVectorOps{TVec, T}.MultiplyAdd"/> rounding once, without it on Dekker's split, so a path
/// whose multiply-add is not what <c>MultiplyAddIsFused</c> claims fails here. Checked against Math.FusedMultiplyAdd,
/// which is exact on every platform.
/// </summary>
public class ErrorFreeTests
{
    [Fact]
    public void Float_two_product_error_is_the_exact_rounding_error_of_the_product() =>
        AssertTwoProduct(Factors<float>(seed: 1), Factors<float>(seed: 2), (a, b, p) => MathF.FusedMultiplyAdd(a, b, -p));

    [Fact]
    public void Double_two_product_error_is_the_exact_rounding_error_of_the_product() =>
        AssertTwoProduct(Factors<double>(seed: 3), Factors<double>(seed: 4), (a, b, p) => Math.FusedMultiplyAdd(a, b, -p));

    [Fact]
    public void Float_division_residual_is_exact() =>
        AssertResidual(Factors<float>(seed: 5), Factors<float>(seed: 6), (p, q, s) => MathF.FusedMultiplyAdd(-q, s, p));

    [Fact]
    public void Double_division_residual_is_exact() =>
        AssertResidual(Factors<double>(seed: 7), Factors<double>(seed: 8), (p, q, s) => Math.FusedMultiplyAdd(-q, s, p));

    /// <summary>
    /// Random significands (all bits set at random) with exponents from 2⁻⁴⁰ to 2⁴⁰ and both signs, far from overflow
    /// and from the subnormals, where the error terms are exact; 301 of them, so every width's loop and tail run.
    /// </summary>
    private static T[] Factors<T>(int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var values = new T[301];
        for (int i = 0; i < values.Length; i++)
        {
            double significand = 1 + random.NextDouble();
            double value = Math.ScaleB(random.Next(2) == 0 ? significand : -significand, random.Next(-40, 41));
            values[i] = T.CreateTruncating(value);
        }

        return values;
    }

    private static void AssertTwoProduct<T>(T[] a, T[] b, Func<T, T, T, T> exactError)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var products = new T[a.Length];
        var errors = new T[a.Length];
        ElementwiseDriver.Run(default(ProductOperator<T>), a, b, products);
        ElementwiseDriver.Run(default(ProductErrorOperator<T>), a, b, errors);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i] * b[i], products[i]);
            Assert.True(errors[i] == exactError(a[i], b[i], products[i]), $"{a[i]} · {b[i]}: error {errors[i]}, exact {exactError(a[i], b[i], products[i])} on {SimdInfo.ActivePath}");
        }
    }

    private static void AssertResidual<T>(T[] p, T[] s, Func<T, T, T, T> exactResidual)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var residuals = new T[p.Length];
        ElementwiseDriver.Run(default(ResidualOperator<T>), p, s, residuals);
        for (int i = 0; i < p.Length; i++)
        {
            T q = p[i] / s[i];
            Assert.True(residuals[i] == exactResidual(p[i], q, s[i]), $"{p[i]} / {s[i]}: residual {residuals[i]}, exact {exactResidual(p[i], q, s[i])} on {SimdInfo.ActivePath}");
        }
    }

    private readonly struct ProductOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public TVec Invoke<TOps, TVec>(TVec x, TVec y)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => VectorMath.TwoProduct<TOps, TVec, T>(x, y, out _);
    }

    private readonly struct ProductErrorOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public TVec Invoke<TOps, TVec>(TVec x, TVec y)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            VectorMath.TwoProduct<TOps, TVec, T>(x, y, out TVec error);
            return error;
        }
    }

    /// <summary>p − q·s for q = p/s rounded, as the compensated divisions form it.</summary>
    private readonly struct ResidualOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public TVec Invoke<TOps, TVec>(TVec x, TVec y)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => VectorMath.DivisionResidual<TOps, TVec, T>(x, TOps.Divide(x, y), y);
    }
}
