namespace FastBackprop.GradCheck.Engine;

/// <summary>Distance of a float result from the double result, in ULPs of float at the double value.</summary>
public static class Ulp
{
    /// <summary>
    /// |actual − expected| / spacing(float at expected), 2⁻¹⁴⁹ in the subnormal range. Matching NaNs and equal
    /// infinities are 0 apart; an expected value beyond float's range counts as the infinity of its sign.
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

    /// <summary>The spacing of floats at <paramref name="value"/>: 2^(exponent − 23), at least 2⁻¹⁴⁹.</summary>
    public static double Spacing(float value)
    {
        float magnitude = Math.Abs(value);
        return magnitude < 1.17549435e-38f ? Math.Pow(2, -149) : Math.Pow(2, MathF.ILogB(magnitude) - 23);
    }
}
