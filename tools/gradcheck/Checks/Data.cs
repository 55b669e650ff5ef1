using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>Generated inputs: float-representable doubles from a seeded generator.</summary>
public static class Data
{
    /// <summary>A generator seeded by the run's seed and the kernel's name, the same in every process.</summary>
    public static Random Random(CaseShapes shapes, string kernel) => new(Seeds.For(shapes.Seed, kernel));

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double[] Uniform(Random random, int length, double low, double high)
    {
        double[] values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(low + ((high - low) * random.NextDouble()));
        }

        return values;
    }

    /// <summary>Uniform in ±[<paramref name="low"/>, <paramref name="high"/>): magnitudes in the range, random signs.</summary>
    public static double[] BothSigns(Random random, int length, double low, double high)
    {
        double[] values = Uniform(random, length, low, high);
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(2) == 0 ? -values[i] : values[i];
        }

        return values;
    }
}
