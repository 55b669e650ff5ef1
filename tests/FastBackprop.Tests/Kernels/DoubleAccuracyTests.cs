using FastBackprop.Tests.Support;

using Xunit.Abstractions;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// The double activations against exact values (<see cref="ExactTable.DoubleActivations"/>, mpmath at 256 bits and
/// more), so a kernel's error is measured, not the sum of its error and a reference's. All ≈ 560 inputs go through
/// one span call, so the active SIMD path computes them (CI runs the suite once per path). Each test writes its
/// measured maximum to the test output.
/// </summary>
public class DoubleAccuracyTests(ITestOutputHelper output)
{
    /// <summary>
    /// The bound for double forwards. Measured on all four x86 paths: at most 2.09 (softplus and log-sigmoid at
    /// |x| = 28.5), exact GELU 1.29.
    /// </summary>
    private const double ForwardUlp = 4;

    /// <summary>
    /// The bound for derivatives, in ULPs of the derivative, also beside the roots of SiLU′ and the GELU′s,
    /// where their terms cancel (the kernels switch to a polynomial in the distance to the root there). Measured as
    /// for <see cref="ForwardUlp"/>: at most 3.09 ULP (SiLU at x ≈ −18.3, paths without FMA).
    /// </summary>
    private const double DerivativeUlp = 8;

    /// <summary>The generator's ELU α (make_double_reference.py's ALPHA).</summary>
    private const double EluAlpha = 1.5;

    private static readonly ExactTable Table = ExactTable.DoubleActivations;

    private static readonly IReadOnlyList<DoubleOp> Ops =
    [
        new(Activation.Sigmoid),
        new(Activation.Tanh),
        new(Activation.Softplus),
        new(Activation.LogSigmoid),
        new(Activation.Silu),
        new(Activation.Elu(EluAlpha)),
        new(Activation.GeluTanh),
        new(Activation.GeluErf),
    ];

    public static IEnumerable<object[]> Names => Ops.Select(op => new object[] { op.Name });

    [Fact]
    public void Table_has_each_ops_value_and_derivative_with_offsets_within_half_an_ulp()
    {
        Assert.True(Table.Inputs.Length >= 400, $"{Table.Inputs.Length} rows");
        foreach (DoubleOp op in Ops)
        {
            foreach (string column in new[] { op.Name, op.Name + "'" })
            {
                Assert.All(Table.Column(column + ".ulp"), offset => Assert.InRange(offset, -0.5, 0.5));
                Assert.All(Table.Column(column), value => Assert.True(double.IsFinite(value), $"{column} holds {value}"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Double_forward_is_within_4_ulp_of_the_exact_value(string name)
    {
        DoubleOp op = Ops.Single(o => o.Name == name);
        double[] y = new double[Table.Inputs.Length];
        op.Forward(Table.Inputs, y);
        AssertWithin(name, "forward", y, ForwardUlp);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Double_backward_is_within_8_ulp_of_the_exact_derivative_also_where_its_terms_cancel(string name)
    {
        DoubleOp op = Ops.Single(o => o.Name == name);
        double[] dx = new double[Table.Inputs.Length];
        op.Backward(Table.Inputs, Enumerable.Repeat(1d, dx.Length).ToArray(), dx);
        AssertWithin(name + "'", "backward", dx, DerivativeUlp);
    }

    /// <summary>Asserts that every row of <paramref name="computed"/> is within <paramref name="bound"/> ULP of the table's column, and writes the maximum.</summary>
    private void AssertWithin(string column, string direction, double[] computed, double bound)
    {
        double[] x = Table.Inputs;
        int worst = WorstRow(x.Length, i => Table.Exact(column, i).UlpError(computed[i]));
        ExactValue exact = Table.Exact(column, worst);
        double error = exact.UlpError(computed[worst]);
        string op = column.TrimEnd('\'');
        output.WriteLine($"{op} {direction} on {SimdInfo.ActivePath}: max {error:F3} ULP at x = {x[worst]:R}");
        Assert.True(
            error <= bound,
            $"{op} {direction} on {SimdInfo.ActivePath}: x = {x[worst]:R} gives {computed[worst]:R}, exact {exact}: {error:F3} ULP (bound {bound})");
    }

    /// <summary>The row with the largest error, NaN counting as largest.</summary>
    private static int WorstRow(int rows, Func<int, double> error)
    {
        int worst = 0;
        double largest = error(0);
        for (int i = 1; i < rows; i++)
        {
            double e = error(i);
            if (!(e <= largest))
            {
                worst = i;
                largest = e;
            }
        }

        return worst;
    }

    /// <summary>An activation through the registry's entry points, named by its kind as the table's columns are.</summary>
    private sealed record DoubleOp(Activation Activation)
    {
        public string Name => Activation.Kind.ToString();

        public void Forward(ReadOnlySpan<double> x, Span<double> y) => Activations.Forward(Activation, x, y);

        public void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Activations.Backward(Activation, x, dy, dx);
    }
}
