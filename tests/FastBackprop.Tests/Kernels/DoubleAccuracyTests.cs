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
        Op(Activation.Sigmoid),
        Op(Activation.Tanh),
        Op(Activation.Softplus),
        new("LogSigmoid", Activations.LogSigmoid, Activations.LogSigmoidBackward),
        Op(Activation.Silu),
        Op(Activation.Elu(EluAlpha)),
        Op(Activation.GeluTanh),
        Op(Activation.GeluErf),
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
        double[] x = Table.Inputs;
        double[] y = new double[x.Length];
        op.Forward(x, y);
        int worst = WorstRow(x.Length, i => Table.Exact(name, i).UlpError(y[i]));
        ExactValue exact = Table.Exact(name, worst);
        double error = exact.UlpError(y[worst]);
        output.WriteLine($"{name} forward on {SimdInfo.ActivePath}: max {error:F3} ULP at x = {x[worst]:R}");
        Assert.True(
            error <= ForwardUlp,
            $"{name} forward on {SimdInfo.ActivePath}: x = {x[worst]:R} gives {y[worst]:R}, exact {exact}: {error:F3} ULP (bound {ForwardUlp})");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Double_backward_is_within_8_ulp_of_the_exact_derivative_also_where_its_terms_cancel(string name)
    {
        DoubleOp op = Ops.Single(o => o.Name == name);
        string column = name + "'";
        double[] x = Table.Inputs;
        double[] dx = new double[x.Length];
        op.Backward(x, Enumerable.Repeat(1d, x.Length).ToArray(), dx);
        int worst = WorstRow(x.Length, i => Table.Exact(column, i).UlpError(dx[i]));
        ExactValue at = Table.Exact(column, worst);
        double error = at.UlpError(dx[worst]);
        output.WriteLine($"{name} backward on {SimdInfo.ActivePath}: max {error:F3} ULP at x = {x[worst]:R}");
        Assert.True(
            error <= DerivativeUlp,
            $"{name} backward on {SimdInfo.ActivePath}: x = {x[worst]:R} gives {dx[worst]:R}, exact {at}: {error:F3} ULP (bound {DerivativeUlp})");
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

    private static DoubleOp Op(Activation activation) =>
        new(
            activation.Kind.ToString(),
            (x, y) => Activations.Forward(activation, x, y),
            (x, dy, dx) => Activations.Backward(activation, x, dy, dx));

    private sealed record DoubleOp(string Name, ForwardKernel<double> Forward, BackwardKernel<double> Backward);
}
