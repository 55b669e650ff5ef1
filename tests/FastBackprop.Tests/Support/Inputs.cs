namespace FastBackprop.Tests.Support;

/// <summary>Deterministic test inputs: random spans and the special values every kernel is checked at.</summary>
public static class Inputs
{
    /// <summary>Every length a driver treats differently, and more: 0..300 covers every vector width, its tails and several whole vectors.</summary>
    public static IEnumerable<int> AllLengths => Enumerable.Range(0, 301);

    /// <summary>Specials in float: signed zeros, subnormals, extremes, infinities, NaN, and exp's overflow and underflow edges.</summary>
    public static float[] FloatSpecials { get; } =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, 1.17549435e-38f, -1.17549435e-38f,
        float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        88.72f, -88.72f, 88.7228394f, 88.72284f, -87.33655f, -103.972f, -103.98f, -104f, 89f, -89f,
        1e-7f, -1e-7f, 0.5f, -0.5f, 1f, -1f, 2f, 17f, -17f, 20f, -20f, 50f, -50f, 100f, -100f, 1e10f, -1e10f,
    ];

    /// <summary>Specials in double, with exp's edges ±709.78 / −745.13.</summary>
    public static double[] DoubleSpecials { get; } =
    [
        0d, -0d, double.Epsilon, -double.Epsilon, 1e-310, -1e-310, 2.2250738585072014e-308, -2.2250738585072014e-308,
        double.MaxValue, double.MinValue, double.PositiveInfinity, double.NegativeInfinity, double.NaN,
        709.78, -709.78, 709.782712893384, 709.7827128933841, -708.39641853226408, -745.13321910194110, -745.2, -746,
        1e-15, -1e-15, 0.5, -0.5, 1, -1, 2, 17, -17, 20, -20, 50, -50, 100, -100, 1e10, -1e10, 1e300, -1e300,
    ];

    /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>) from a fixed seed.</summary>
    public static T[] Uniform<T>(int length, double low, double high, int seed)
        where T : IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var values = new T[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = T.CreateTruncating(low + ((high - low) * random.NextDouble()));
        }

        return values;
    }
}
