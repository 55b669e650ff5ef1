using FastBackprop.Tests.Support;
using FastBackprop.Training;

namespace FastBackprop.Tests.Kernels;

public class LossesTests
{
    private static readonly LossKind[] SquaredErrorKinds = [LossKind.SquaredErrorSum, LossKind.HalfSquaredErrorSum, LossKind.MeanSquaredError];

    public static TheoryData<LossKind> SquaredErrors() => [.. SquaredErrorKinds];

    [Theory]
    [MemberData(nameof(SquaredErrors))]
    public void Squared_error_matches_the_double_reference_for_every_length_0_to_300_and_across_blocks(LossKind kind)
    {
        foreach (int n in Inputs.AllLengths.Append(1024).Append(2500))
        {
            CheckSquaredError<float>(n, kind);
            CheckSquaredError<double>(n, kind);
        }
    }

    [Fact]
    public void Squared_error_follows_the_seed_conventions_exactly_on_small_values()
    {
        double[] z = [0.3, 0.38];
        double[] y = [0, 1];
        double[] g = new double[2];
        Assert.Equal((0.3 * 0.3) + (0.62 * 0.62), Losses.SquaredErrorSum<double>(z, y, g), 15);
        Assert.Equal([0.6, 2 * (0.38 - 1)], g);
        Assert.Equal(0.5 * ((0.3 * 0.3) + (0.62 * 0.62)), Losses.HalfSquaredErrorSum<double>(z, y, g), 15);
        Assert.Equal([0.3, 0.38 - 1], g);
        Assert.Equal(0.5 * ((0.3 * 0.3) + (0.62 * 0.62)), Losses.MeanSquaredError<double>(z, y, g), 15);
        Assert.Equal([0.3, 0.38 - 1], g);
    }

    [Fact]
    public void Softmax_cross_entropy_with_labels_matches_the_reference_and_the_one_hot_form()
    {
        // 4001 × 16 and 3999 × 8: on AVX-512 the four-row groups' running product of row sums passes 10³⁰⁰ and restarts.
        foreach ((int rows, int cols) in new[] { (1, 1), (3, 2), (64, 10), (4001, 16), (3999, 8), (5, 17), (2, 300), (3, 1000) })
        {
            CheckCrossEntropy<float>(rows, cols, 2e-6);
            CheckCrossEntropy<double>(rows, cols, 1e-14);
        }

        foreach (int cols in Inputs.AllLengths.Skip(1))
        {
            CheckCrossEntropy<float>(SoftmaxTests.RowsForEveryLength, cols, 2e-6);
            CheckCrossEntropy<double>(SoftmaxTests.RowsForEveryLength, cols, 1e-14);
        }
    }

    [Fact]
    public void Softmax_cross_entropy_over_a_batch_equals_its_rows_one_at_a_time_with_masks_and_an_infinite_row()
    {
        // On AVX-512, a batch of rows of ≤ 16 floats runs four rows at a time (a group with a non-finite maximum and
        // the last (rows mod 4) row by row); one row alone always runs row by row. −∞ masks everywhere but at the
        // labels, and row 6 has +∞ at its label (probability 1, loss 0), which sends its group row by row.
        // Tolerances as in CheckCrossEntropy: each side's gradient (in units of 1/N) is within a few ULP of 1 of the
        // true one, so their difference is too; the loss is compared relative to max(1, loss).
        for (int cols = 1; cols <= 17; cols++)
        {
            CheckBatchAgainstRows<float>(cols, 2e-6);
            CheckBatchAgainstRows<double>(cols, 1e-14);
        }

        static void CheckBatchAgainstRows<T>(int cols, double tolerance)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            const int rows = 9;
            T[] x = Inputs.Uniform<T>(rows * cols, -10, 10, cols + 40);
            int[] labels = Enumerable.Range(0, rows).Select(r => ((r * 5) + 1) % cols).ToArray();
            for (int i = 3; i < x.Length; i += 4)
            {
                x[i] = T.NegativeInfinity;
            }

            for (int r = 0; r < rows; r++)
            {
                x[(r * cols) + labels[r]] = T.CreateTruncating(r - 4);
            }

            x[(6 * cols) + labels[6]] = T.PositiveInfinity;
            T[] gradient = new T[x.Length];
            double loss = double.CreateTruncating(Losses.SoftmaxCrossEntropy<T>(x, labels, rows, cols, gradient));
            double rowLosses = 0;
            T[] rowGradient = new T[cols];
            for (int r = 0; r < rows; r++)
            {
                rowLosses += double.CreateTruncating(Losses.SoftmaxCrossEntropy<T>(x.AsSpan(r * cols, cols), labels.AsSpan(r, 1), 1, cols, rowGradient));
                for (int j = 0; j < cols; j++)
                {
                    double batch = double.CreateTruncating(gradient[(r * cols) + j]) * rows;
                    double alone = double.CreateTruncating(rowGradient[j]);
                    Assert.True(Math.Abs(batch - alone) <= tolerance, $"{typeof(T).Name} [{rows}×{cols}] gradient at {r},{j}: {batch} vs {alone} on {SimdInfo.ActivePath}");
                }
            }

            double expected = rowLosses / rows;
            Assert.True(Math.Abs(loss - expected) <= tolerance * Math.Max(1, expected), $"{typeof(T).Name} [{rows}×{cols}] loss {loss} vs {expected} on {SimdInfo.ActivePath}");
        }
    }

    [Fact]
    public void Softmax_cross_entropy_gradient_times_a_power_of_two_batch_is_the_softmax_minus_the_one_hot_bit_for_bit()
    {
        // The gradient is e·(N⁻¹/Σ), less N⁻¹ at the label; softmax is e·(1/Σ). Scaling by a power of two commutes with
        // rounding (no subnormals here), so N times the gradient is softmax − onehot in T exactly, on every path and in
        // the four-row groups, their padded tail and the row-at-a-time loop alike, if both kernels run one formula.
        CheckAgainstSoftmax<float>();
        CheckAgainstSoftmax<double>();

        static void CheckAgainstSoftmax<T>()
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            foreach (int rows in new[] { 1, 4, 8 })
            {
                foreach (int cols in Inputs.AllLengths.Skip(1))
                {
                    T[] x = Inputs.Uniform<T>(rows * cols, -8, 8, (rows * 1000) + cols);
                    int[] labels = [.. Enumerable.Range(0, rows).Select(r => ((r * 7) + cols) % cols)];
                    T[] gradient = new T[x.Length];
                    T[] probabilities = new T[x.Length];
                    Losses.SoftmaxCrossEntropy<T>(x, labels, rows, cols, gradient);
                    Activations.Softmax<T>(x, rows, cols, probabilities);
                    for (int i = 0; i < x.Length; i++)
                    {
                        T expected = i % cols == labels[i / cols] ? probabilities[i] - T.One : probabilities[i];
                        T actual = gradient[i] * T.CreateTruncating(rows);
                        Assert.True(actual == expected, $"{typeof(T).Name} [{rows}×{cols}] at {i}: N·gradient {actual} vs softmax − onehot {expected} on {SimdInfo.ActivePathName}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Softmax_cross_entropy_gradients_match_central_finite_differences_in_double()
    {
        const int rows = 3;
        const int cols = 7;
        double[] x = Inputs.Uniform<double>(rows * cols, -3, 3, 5);
        int[] labels = [2, 0, 6];
        double[] targets = Inputs.Uniform<double>(rows * cols, 0, 1, 6);
        for (int r = 0; r < rows; r++)
        {
            double rowSum = targets.AsSpan(r * cols, cols).ToArray().Sum();
            for (int j = 0; j < cols; j++)
            {
                targets[(r * cols) + j] /= rowSum;
            }
        }

        double[] gradient = new double[x.Length];
        Losses.SoftmaxCrossEntropy<double>(x, labels, rows, cols, gradient);
        AssertFiniteDifferences(x, gradient, v => Losses.SoftmaxCrossEntropy<double>(v, labels, rows, cols, new double[v.Length]));
        Losses.SoftmaxCrossEntropy<double>(x, targets, rows, cols, gradient);
        AssertFiniteDifferences(x, gradient, v => Losses.SoftmaxCrossEntropy<double>(v, targets, rows, cols, new double[v.Length]));
        Losses.SigmoidCrossEntropy<double>(x, targets, gradient);
        AssertFiniteDifferences(x, gradient, v => Losses.SigmoidCrossEntropy<double>(v, targets, new double[v.Length]));
        foreach (LossKind kind in SquaredErrorKinds)
        {
            SquaredError<double>(kind, x, targets, gradient);
            AssertFiniteDifferences(x, gradient, v => SquaredError<double>(kind, v, targets, new double[v.Length]));
        }
    }

    [Fact]
    public void Softmax_cross_entropy_is_stable_for_huge_logits_and_masks()
    {
        float[] x = [1000f, -1000f, 0f, float.NegativeInfinity, 2f, 1f];
        float[] gradient = new float[6];
        float loss = Losses.SoftmaxCrossEntropy<float>(x, [1, 2], 2, 3, gradient);

        // Row 0: −log softmax = 1000 − (−1000) + log(1 + 2e⁻¹⁰⁰⁰) = 2000; row 1 (masked −∞): log(e² + e) − 1.
        Assert.Equal((2000 + Math.Log(Math.Exp(2) + Math.Exp(1)) - 1) / 2, loss, 3);
        Assert.Equal([0.5f, -0.5f, 0f, 0f], gradient[0..4]);

        float[] targets = [0f, 0f, 1f, 0f, 1f, 0f];
        float targetLoss = Losses.SoftmaxCrossEntropy<float>(x, targets, 2, 3, gradient);
        Assert.True(float.IsFinite(targetLoss), $"loss {targetLoss}");
        Assert.Equal(0f, gradient[3]);
    }

    [Fact]
    public void Softmax_cross_entropy_in_place_on_the_logits_equals_out_of_place()
    {
        float[] x = Inputs.Uniform<float>(6 * 19, -5, 5, 3);
        int[] labels = [0, 18, 5, 7, 7, 1];
        float[] targets = Inputs.Uniform<float>(x.Length, 0, 0.1, 4);
        float[] gradient = new float[x.Length];
        float loss = Losses.SoftmaxCrossEntropy<float>(x, labels, 6, 19, gradient);
        float[] inPlace = (float[])x.Clone();
        Assert.Equal(loss, Losses.SoftmaxCrossEntropy<float>(inPlace, labels, 6, 19, inPlace));
        Assert.Equal(gradient, inPlace);
        loss = Losses.SoftmaxCrossEntropy<float>(x, targets, 6, 19, gradient);
        inPlace = (float[])x.Clone();
        Assert.Equal(loss, Losses.SoftmaxCrossEntropy<float>(inPlace, targets, 6, 19, inPlace));
        Assert.Equal(gradient, inPlace);
    }

    [Fact]
    public void Binary_cross_entropy_with_logits_matches_the_reference_for_every_length_and_the_specials()
    {
        foreach (int n in Inputs.AllLengths)
        {
            float[] x = Inputs.Uniform<float>(n, -30, 30, n);
            float[] y = Inputs.Uniform<float>(n, 0, 1, n + 1);
            float[] gradient = new float[n];
            float loss = Losses.SigmoidCrossEntropy<float>(x, y, gradient);
            double expected = 0;
            for (int i = 0; i < n; i++)
            {
                double sigmoid = 1 / (1 + Math.Exp(-(double)x[i]));
                expected += (Math.Max(x[i], 0) - (x[i] * (double)y[i]) + Math.Log(1 + Math.Exp(-Math.Abs((double)x[i])))) / n;

                // (σ − y)/N: σ ≤ 2 ULP of 1 (without FMA), σ − y rounds (½ ULP of 1), then 1/N and the product
                // round: ≤ 4 ULP of 1, over N.
                Assert.True(Math.Abs(gradient[i] - ((sigmoid - y[i]) / n)) <= 4 * Ulp.Spacing(1f) / n, $"n {n} at {i}: {gradient[i]} vs {(sigmoid - y[i]) / n}");
            }

            Assert.Equal(expected, loss, Math.Max(Math.Abs(expected), 1) * 1e-6);
        }

        float[] specials = [float.PositiveInfinity, float.PositiveInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NaN, 1e30f];
        float[] labels = [1f, 0f, 0f, 1f, 1f, 1f];
        float[] g = new float[6];
        Losses.SigmoidCrossEntropy<float>(specials.AsSpan(0, 1), labels.AsSpan(0, 1), g.AsSpan(0, 1));
        Assert.Equal(0f, Losses.SigmoidCrossEntropy<float>(specials.AsSpan(0, 1), labels.AsSpan(0, 1), g.AsSpan(0, 1)));
        Assert.Equal(0f, Losses.SigmoidCrossEntropy<float>(specials.AsSpan(2, 1), labels.AsSpan(2, 1), g.AsSpan(0, 1)));
        Assert.Equal(float.PositiveInfinity, Losses.SigmoidCrossEntropy<float>(specials.AsSpan(0, 2), labels.AsSpan(0, 2), g.AsSpan(0, 2)));
        Assert.Equal([0f, 0.5f], g[0..2]);
        Assert.True(float.IsNaN(Losses.SigmoidCrossEntropy<float>(specials, labels, g)));
        Assert.Equal(0f, g[5]);
    }

    [Fact]
    public void Empty_inputs_give_loss_zero()
    {
        Assert.Equal(0f, Losses.SquaredErrorSum<float>([], [], []));
        Assert.Equal(0f, Losses.HalfSquaredErrorSum<float>([], [], []));
        Assert.Equal(0f, Losses.MeanSquaredError<float>([], [], []));
        Assert.Equal(0f, Losses.SoftmaxCrossEntropy<float>([], ReadOnlySpan<int>.Empty, 0, 10, []));
        Assert.Equal(0f, Losses.SoftmaxCrossEntropy<float>([], ReadOnlySpan<float>.Empty, 0, 10, []));
        Assert.Equal(0f, Losses.SigmoidCrossEntropy<float>([], [], []));
    }

    [Fact]
    public void Bad_arguments_throw_naming_the_parameter_and_leave_the_gradient_untouched()
    {
        float[] x = new float[12];
        float[] t = new float[12];
        AssertRejects("labels", g => Losses.SoftmaxCrossEntropy<float>(x, [0, 1, 4], 3, 4, g));
        AssertRejects("labels", g => Losses.SoftmaxCrossEntropy<float>(x, [0, -1, 2], 3, 4, g));
        AssertRejects("labels", g => Losses.SoftmaxCrossEntropy<float>(x, [0, 1], 3, 4, g));
        AssertRejects("rows", g => Losses.SoftmaxCrossEntropy<float>(x, [0, 1, 2], -3, 4, g));
        AssertRejects("logits", g => Losses.SoftmaxCrossEntropy<float>(x, [0, 1, 2], 3, 5, g));
        AssertRejects("logits", g => Losses.SoftmaxCrossEntropy<float>(x, t, 1 << 20, 1 << 12, g));
        AssertRejects("targets", g => Losses.SoftmaxCrossEntropy<float>(x, new float[11], 3, 4, g));
        AssertRejects("gradient", _ => Losses.SoftmaxCrossEntropy<float>(x, t, 3, 4, new float[13]));
        foreach (LossKind kind in SquaredErrorKinds)
        {
            AssertRejects("target", g => SquaredError<float>(kind, x, new float[11], g));
            AssertRejects("gradient", _ => SquaredError<float>(kind, x, t, new float[13]));
            AssertRejects("gradient", g => SquaredError<float>(kind, g.AsSpan(0, 11), g.AsSpan(1, 11), g.AsSpan(0, 11)));
        }

        AssertRejects("targets", g => Losses.SigmoidCrossEntropy<float>(x, new float[13], g));

        float[] shared = Enumerable.Repeat(7f, 16).ToArray();
        var error = Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy<float>(x, shared.AsSpan(0, 12), 3, 4, shared.AsSpan(4, 12)));
        Assert.Equal("gradient", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy<float>(shared.AsSpan(0, 12), t, 3, 4, shared.AsSpan(2, 12)));
        Assert.Equal("gradient", error.ParamName);
        Assert.All(shared, v => Assert.Equal(7f, v));
    }

    private static void AssertRejects(string parameter, Action<float[]> call)
    {
        float[] gradient = Enumerable.Repeat(7f, 12).ToArray();
        var error = Assert.Throws<ArgumentException>(() => call(gradient));
        Assert.Equal(parameter, error.ParamName);
        Assert.All(gradient, v => Assert.Equal(7f, v));
    }

    /// <summary>Central differences with h = 1e−6 (truncation ≈ 1e−12, rounding ≈ 1e−10): tolerance 1e−8.</summary>
    private static void AssertFiniteDifferences(double[] x, double[] gradient, Func<double[], double> loss)
    {
        const double h = 1e-6;
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + h;
            double plus = loss(x);
            x[i] = saved - h;
            double minus = loss(x);
            x[i] = saved;
            Assert.Equal((plus - minus) / (2 * h), gradient[i], 1e-8);
        }
    }

    /// <summary>The kernel of a squared-error head: the <see cref="Losses"/> function of the kind's name.</summary>
    private static T SquaredError<T>(LossKind kind, ReadOnlySpan<T> z, ReadOnlySpan<T> y, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
        {
            LossKind.SquaredErrorSum => Losses.SquaredErrorSum(z, y, gradient),
            LossKind.HalfSquaredErrorSum => Losses.HalfSquaredErrorSum(z, y, gradient),
            LossKind.MeanSquaredError => Losses.MeanSquaredError(z, y, gradient),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a squared-error head"),
        };

    private static void CheckSquaredError<T>(int n, LossKind kind)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] z = Inputs.Uniform<T>(n, -3, 3, n);
        T[] y = Inputs.Uniform<T>(n, -3, 3, n + 1);
        T[] gradient = new T[n];
        double loss = double.CreateTruncating(SquaredError<T>(kind, z, y, gradient));
        double expected = 0;
        for (int i = 0; i < n; i++)
        {
            double d = double.CreateTruncating(z[i]) - double.CreateTruncating(y[i]);
            expected += d * d;
            double g = kind switch { LossKind.SquaredErrorSum => 2 * d, LossKind.HalfSquaredErrorSum => d, _ => 2 * d / n };

            // z − y rounds once and the scale by 2 or 1 is exact (≤ ½ ULP); the mean's 2/n and product round twice
            // more, each ≤ ½ ULP of its own value, ≤ 2.5 ULP of the result in all.
            double error = typeof(T) == typeof(float)
                ? Ulp.Error(float.CreateTruncating(gradient[i]), g)
                : Ulp.Error(double.CreateTruncating(gradient[i]), g);
            Assert.True(error <= (kind == LossKind.MeanSquaredError ? 2.5 : 0.5), $"{typeof(T).Name} n {n} {kind} at {i}: {gradient[i]} vs {g}");
        }

        expected *= kind switch { LossKind.SquaredErrorSum => 1.0, LossKind.HalfSquaredErrorSum => 0.5, _ => 1.0 / Math.Max(n, 1) };

        // Sums of ≤ 1024 squares in T lanes, then in double: relative error ≲ √(terms per lane) ε; bound 64 ε.
        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);
        Assert.True(Math.Abs(loss - expected) <= 64 * epsilon * expected, $"{typeof(T).Name} n {n} {kind}: {loss} vs {expected}");
    }

    private static void CheckCrossEntropy<T>(int rows, int cols, double tolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] x = Inputs.Uniform<T>(rows * cols, -8, 8, (rows * 100) + cols);
        int[] labels = Enumerable.Range(0, rows).Select(r => ((r * 7) + cols) % cols).ToArray();
        T[] gradient = new T[x.Length];
        double loss = double.CreateTruncating(Losses.SoftmaxCrossEntropy<T>(x, labels, rows, cols, gradient));
        double[] probabilities = SoftmaxTests.ReferenceSoftmax(x.Select(double.CreateTruncating).ToArray(), rows, cols, log: false);
        double[] logProbabilities = SoftmaxTests.ReferenceSoftmax(x.Select(double.CreateTruncating).ToArray(), rows, cols, log: true);
        double expected = 0;
        T[] oneHot = new T[x.Length];
        for (int r = 0; r < rows; r++)
        {
            expected -= logProbabilities[(r * cols) + labels[r]] / rows;
            oneHot[(r * cols) + labels[r]] = T.One;
            for (int j = 0; j < cols; j++)
            {
                double target = j == labels[r] ? 1 : 0;
                double g = (probabilities[(r * cols) + j] - target) / rows;

                // Gradients are compared absolutely, in units of 1/N: softmax's few ULP of 1, as in SoftmaxTests.
                Assert.True(Math.Abs(double.CreateTruncating(gradient[(r * cols) + j]) - g) <= tolerance / rows, $"{typeof(T).Name} [{rows}×{cols}] at {r},{j}: {gradient[(r * cols) + j]} vs {g}");
            }
        }

        // The loss, relative to its size and 1: the logits are exact in double, the row sums in T lanes.
        Assert.True(Math.Abs(loss - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{typeof(T).Name} [{rows}×{cols}]: loss {loss} vs {expected}");

        T[] targetGradient = new T[x.Length];
        double targetLoss = double.CreateTruncating(Losses.SoftmaxCrossEntropy<T>(x, oneHot, rows, cols, targetGradient));
        Assert.True(Math.Abs(targetLoss - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{typeof(T).Name} [{rows}×{cols}]: one-hot loss {targetLoss} vs {expected}");
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(double.CreateTruncating(targetGradient[i] - gradient[i])) <= tolerance / rows);
        }
    }
}
