namespace FastBackprop.Tests.Support;

/// <summary>Distances in units in the last place (ULP) between a computed value and a more precise reference.</summary>
public static class Ulp
{
    /// <summary>
    /// |actual − expected| in ULPs of float at <paramref name="expected"/> (the spacing of floats around the exact
    /// value, 2⁻¹⁴⁹ in the subnormal range). Matching NaNs, and infinities of the same sign, are 0 apart; an expected
    /// value beyond float's range counts as the infinity of its sign.
    /// </summary>
    public static double Error(float actual, double expected)
    {
        if (double.IsNaN(expected) || float.IsNaN(actual))
        {
            return double.IsNaN(expected) && float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }

        float rounded = (float)expected;
        if (float.IsInfinity(rounded) || float.IsInfinity(actual))
        {
            return rounded == actual ? 0 : double.PositiveInfinity;
        }

        return Math.Abs(actual - expected) / Spacing(rounded);
    }

    /// <summary>|actual − expected| in ULPs of double at <paramref name="expected"/>.</summary>
    public static double Error(double actual, double expected)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }

        if (double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            return expected == actual ? 0 : double.PositiveInfinity;
        }

        double magnitude = Math.Abs(expected);
        double spacing = magnitude < 2.2250738585072014e-308 ? double.Epsilon : Math.Pow(2, Math.ILogB(magnitude) - 52);
        return Math.Abs(actual - expected) / spacing;
    }

    /// <summary>The spacing of floats at <paramref name="value"/>: 2^(exponent − 23), at least 2⁻¹⁴⁹.</summary>
    public static double Spacing(float value)
    {
        float magnitude = Math.Abs(value);
        return magnitude < 1.17549435e-38f ? Math.Pow(2, -149) : Math.Pow(2, MathF.ILogB(magnitude) - 23);
    }
}
