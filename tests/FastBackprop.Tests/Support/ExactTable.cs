using System.Globalization;

namespace FastBackprop.Tests.Support;

/// <summary>
/// A table of exact values as written by <c>Reference/make_double_reference.py</c> and embedded in this assembly:
/// comment lines (<c>#</c>), a header line of column names, then one row per input x. A value column <c>Name</c> holds
/// the exact value rounded to the nearest double and <c>Name.ulp</c> its offset (exact − rounded)/ulp(rounded), so
/// the error of a computed double against the exact value is known to ±0.0005 ULP, not to the reference's own
/// rounding.
/// </summary>
public sealed class ExactTable
{
    private readonly Dictionary<string, double[]> _columns;

    private ExactTable(Dictionary<string, double[]> columns)
    {
        _columns = columns;
        Inputs = columns["x"];
    }

    /// <summary>Double activations and their derivatives at ≈ 560 inputs (<c>Reference/double-activations.csv</c>).</summary>
    public static ExactTable DoubleActivations { get; } = Load("double-activations.csv");

    /// <summary>The inputs x, one per row.</summary>
    public double[] Inputs { get; }

    /// <summary>A plain column (an input, or a derivative's scale, which the generator records beside it).</summary>
    public double[] Column(string column) =>
        _columns.TryGetValue(column, out double[]? values) ? values : throw new KeyNotFoundException($"the table has no column {column}");

    /// <summary>The exact value of column <paramref name="column"/> at row <paramref name="row"/>.</summary>
    public ExactValue Exact(string column, int row) => new(Column(column)[row], Column(column + ".ulp")[row]);

    private static ExactTable Load(string resource)
    {
        using Stream stream = typeof(ExactTable).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded in the test assembly");
        using var reader = new StreamReader(stream);
        string[]? names = null;
        List<double>[] values = [];
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (names is null)
            {
                names = fields;
                values = [.. names.Select(_ => new List<double>())];
                continue;
            }

            if (fields.Length != names.Length)
            {
                throw new InvalidDataException($"{resource}: a row has {fields.Length} fields, the header {names.Length}: {line}");
            }

            for (int i = 0; i < fields.Length; i++)
            {
                values[i].Add(double.Parse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture));
            }
        }

        if (names is null)
        {
            throw new InvalidDataException($"{resource} has no header line");
        }

        return new ExactTable(names.Zip(values).ToDictionary(p => p.First, p => p.Second.ToArray()));
    }
}

/// <summary>An exact value as the nearest double <paramref name="Rounded"/> plus <paramref name="Offset"/> ULPs of it.</summary>
/// <param name="Rounded">The exact value rounded to the nearest double.</param>
/// <param name="Offset">(exact − rounded)/ulp(rounded), to 3 decimals.</param>
public readonly record struct ExactValue(double Rounded, double Offset)
{
    /// <summary>ulp(rounded) in <see cref="Ulp.Error(double, double)"/>'s convention: 2^(ilogb − 52), 2⁻¹⁰⁷⁴ below the normal range.</summary>
    public double Spacing => Math.Abs(Rounded) < 2.2250738585072014e-308 ? double.Epsilon : Math.Pow(2, Math.ILogB(Rounded) - 52);

    /// <summary>
    /// |actual − exact| in ULPs of the rounded value, to ±0.0005: actual − rounded is exact (the two are close) and
    /// so is its division by a power of two. NaN counts as infinitely far.
    /// </summary>
    public double UlpError(double actual) =>
        double.IsNaN(actual) ? double.PositiveInfinity : Math.Abs(((actual - Rounded) / Spacing) - Offset);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rounded:R} {Offset:+0.000;-0.000} ULP");
}
