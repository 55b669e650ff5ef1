using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>Every activation of <see cref="ActivationCases"/>: accuracy against its double reference, lengths, gradients, arguments.</summary>
public class ActivationsTests
{
    /// <summary>The bound for derivatives where the value is a normal number: 8 ULP, or 1e−6 relative.</summary>
    private const double DerivativeUlp = 8;
    private const double DerivativeRelative = 1e-6;

    /// <summary>Every 2¹⁴-th float bit pattern of both signs (the whole finite range, ≈ 2¹⁵ per binade set), a grid of step 0.005 on [−20, 20], and the specials.</summary>
    private static readonly float[] FloatSweep = BuildFloatSweep();

    /// <summary>Random values on [−40, 40], log-spaced magnitudes up to 10³⁰⁰, and the specials with |x| ≤ 700 (the references' accurate range) or ≥ 10¹⁰.</summary>
    private static readonly double[] DoubleSamples = BuildDoubleSamples();

    public static IEnumerable<object[]> Names => ActivationCases.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void Float_forward_is_within_its_ulp_bound_of_the_double_reference_over_the_whole_range(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        float[] y = new float[FloatSweep.Length];
        op.ForwardFloat(FloatSweep, y);
        (double worst, float at) = Worst(FloatSweep, i => Ulp.Error(y[i], op.Function(FloatSweep[i])));
        Assert.True(worst <= op.FloatBound, $"{name}: {worst:F3} ULP at x = {at:R} on {SimdInfo.ActivePath} (bound {op.FloatBound})");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float_backward_is_within_8_ulp_or_1e_minus_6_relative_where_the_derivative_is_normal(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        float[] ones = Enumerable.Repeat(1f, FloatSweep.Length).ToArray();
        float[] dx = new float[FloatSweep.Length];
        op.BackwardFloat(FloatSweep, ones, dx);
        for (int i = 0; i < FloatSweep.Length; i++)
        {
            AssertDerivative(op, FloatSweep[i], dx[i], op.Derivative(FloatSweep[i]));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Double_forward_is_within_its_ulp_bound_on_samples(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        double[] y = new double[DoubleSamples.Length];
        op.ForwardDouble(DoubleSamples, y);
        // Results in double's subnormal range are skipped: the references form them from subnormal intermediates.
        (double worst, double at) = Worst(
            DoubleSamples,
            i => op.Function(DoubleSamples[i]) is var expected && Math.Max(Math.Abs(expected), Math.Abs(y[i])) is > 0 and < 2.2250738585072014e-308
                ? 0
                : Ulp.Error(y[i], expected));
        Assert.True(worst <= op.DoubleBound, $"{name}: {worst:F3} ULP at x = {at:R} on {SimdInfo.ActivePath} (bound {op.DoubleBound})");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Double_backward_is_within_8_ulp_or_1e_minus_6_relative_of_the_double_reference(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        double[] ones = Enumerable.Repeat(1d, DoubleSamples.Length).ToArray();
        double[] dx = new double[DoubleSamples.Length];
        op.BackwardDouble(DoubleSamples, ones, dx);
        for (int i = 0; i < DoubleSamples.Length; i++)
        {
            double x = DoubleSamples[i];
            double expected = op.Derivative(x);
            double error = Math.Abs(dx[i] - expected);
            bool ok = Ulp.Error(dx[i], expected) <= DerivativeUlp
                || error <= DerivativeRelative * Math.Abs(expected)
                || error <= DerivativeUlp * Math.Pow(2, -52) * op.DerivativeScale(x)
                || Math.Abs(expected) < 2.2250738585072014e-308;
            Assert.True(ok, $"{name}: x = {x:R} gives {dx[i]:R}, reference {expected:R} on {SimdInfo.ActivePath}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_length_0_to_300_matches_the_reference_in_and_out_of_place(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        foreach (int length in Inputs.AllLengths)
        {
            float[] x = Inputs.Uniform<float>(length, -12, 12, seed: length);
            float[] dy = Inputs.Uniform<float>(length, -2, 2, seed: length + 1000);
            float[] y = new float[length];
            float[] dx = new float[length];
            op.ForwardFloat(x, y);
            op.BackwardFloat(x, dy, dx);
            for (int i = 0; i < length; i++)
            {
                Assert.True(Ulp.Error(y[i], op.Function(x[i])) <= op.FloatBound, $"{name} length {length} index {i}: x = {x[i]:R}, y = {y[i]:R}, {Ulp.Error(y[i], op.Function(x[i])):F2} ULP");
                AssertDerivative(op, x[i], dx[i], dy[i] * op.Derivative(x[i]));
            }

            float[] inPlace = (float[])x.Clone();
            op.ForwardFloat(inPlace, inPlace);
            Assert.Equal(y, inPlace);
            float[] gradientInPlace = (float[])dy.Clone();
            op.BackwardFloat(x, gradientInPlace, gradientInPlace);
            Assert.Equal(dx, gradientInPlace);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_matches_central_finite_differences_of_the_forward_in_double(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        double[] x = Inputs.Uniform<double>(257, -6, 6, seed: 7);
        double[] dx = new double[x.Length];
        op.BackwardDouble(x, Enumerable.Repeat(1d, x.Length).ToArray(), dx);
        double[] step = x.Select(v => 1e-5 * Math.Max(1, Math.Abs(v))).ToArray();
        double[] plus = new double[x.Length];
        double[] minus = new double[x.Length];
        op.ForwardDouble(x.Select((v, i) => v + step[i]).ToArray(), plus);
        op.ForwardDouble(x.Select((v, i) => v - step[i]).ToArray(), minus);
        for (int i = 0; i < x.Length; i++)
        {
            // Truncation h²·f‴/6 ≤ 1e−10 and rounding ε·|f|/h ≤ 1e−10 for these x: 1e−7 leaves room.
            double difference = (plus[i] - minus[i]) / (2 * step[i]);
            Assert.True(Math.Abs(difference - dx[i]) <= 1e-7 * Math.Max(1, Math.Abs(dx[i])), $"{name}: x = {x[i]:R}: backward {dx[i]:R}, differences {difference:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_rejects_mismatched_and_partially_overlapping_spans_before_writing(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        float[] x = [1, 2, 3, 4, 5];
        float[] y = [9, 9, 9, 9];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => op.ForwardFloat(x, y)).ParamName);
        Assert.All(y, v => Assert.Equal(9, v));

        double[] buffer = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => op.ForwardDouble(buffer.AsSpan(0, 8), buffer.AsSpan(1, 8))).ParamName);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], buffer);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_rejects_mismatched_and_partially_overlapping_spans_before_writing(string name)
    {
        ActivationCase op = ActivationCases.Get(name);
        float[] x = [1, 2, 3, 4];
        float[] dx = [9, 9, 9, 9];
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => op.BackwardFloat(x, new float[3], dx)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => op.BackwardFloat(x, new float[4], new float[5])).ParamName);
        Assert.All(dx, v => Assert.Equal(9, v));

        double[] buffer = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => op.BackwardDouble(new double[8], buffer.AsSpan(0, 8), buffer.AsSpan(1, 8))).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => op.BackwardDouble(buffer.AsSpan(1, 8), new double[8], buffer.AsSpan(0, 8))).ParamName);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], buffer);
    }

    private static void AssertDerivative(ActivationCase op, float x, float actual, double expected)
    {
        if (double.IsNaN(expected) || Math.Abs(expected) < 1.17549435e-38)
        {
            bool same = double.IsNaN(expected) ? float.IsNaN(actual) : Math.Abs(actual - expected) <= 1e-37;
            Assert.True(same, $"{op.Name}: x = {x:R} gives {actual:R}, reference {expected:R}");
            return;
        }

        // No allowance where f′'s terms cancel: the kernels evaluate SiLU′ and the GELU′s near their roots from a
        // polynomial in the distance to the root, and the double references keep ≈ 2⁻⁵³ of the terms, far below a float ULP.
        double error = Math.Abs(actual - expected);
        bool ok = Ulp.Error(actual, expected) <= DerivativeUlp || error <= DerivativeRelative * Math.Abs(expected);
        Assert.True(ok, $"{op.Name}: x = {x:R} gives {actual:R}, reference {expected:R} ({Ulp.Error(actual, expected):F1} ULP) on {SimdInfo.ActivePath}");
    }

    private static (double Worst, T At) Worst<T>(T[] inputs, Func<int, double> error)
    {
        double worst = 0;
        T at = inputs.Length > 0 ? inputs[0] : default!;
        for (int i = 0; i < inputs.Length; i++)
        {
            double e = error(i);
            if (!(e <= worst))
            {
                worst = e;
                at = inputs[i];
            }
        }

        return (worst, at);
    }

    private static float[] BuildFloatSweep()
    {
        var values = new List<float>();
        for (uint bits = 0; bits < 0x7F800000u; bits += 1u << 14)
        {
            float v = BitConverter.UInt32BitsToSingle(bits);
            values.Add(v);
            values.Add(-v);
        }

        for (int i = 0; i <= 8_000; i++)
        {
            values.Add((float)(-20 + (40.0 * i / 8_000)));
        }

        values.AddRange(Inputs.FloatSpecials);
        return [.. values];
    }

    private static double[] BuildDoubleSamples()
    {
        var values = new List<double>(Inputs.Uniform<double>(8_000, -40, 40, seed: 3));
        for (int e = -300; e <= 300; e++)
        {
            values.Add(1.37 * Math.Pow(10, e));
            values.Add(-1.37 * Math.Pow(10, e));
        }

        values.AddRange(Inputs.DoubleSpecials.Where(v => !(Math.Abs(v) > 700 && Math.Abs(v) < 1e10)));
        return [.. values];
    }
}
