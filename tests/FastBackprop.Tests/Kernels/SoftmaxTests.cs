using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

public class SoftmaxTests
{
    /// <summary>
    /// Softmax against the double reference, in ULP, beyond the unavoidable part: x − m rounds to T, a relative
    /// error of up to |x − m|·2⁻ᵖ that exp turns into up to |x − m| ULP of the result (so a probability 20 below
    /// the max may be 20 ULP off). The rest: exp ≤ 1 ULP (2 without FMA), the reciprocal and the product, and the
    /// row sum, whose rounding grows with the additions per lane, a: as √a in practice (measured 31 ULP at a = 4099
    /// on the scalar path, 9.7 at a = 233, ≤ 4.6 for cols ≤ 300 on the vector paths); bound 5 + √a.
    /// </summary>
    private const double Bound = 5;

    /// <summary>
    /// Log-softmax is <c>(x − m) − log Σ</c>: its error is a few ULP of the larger of |x − m|, |y| and 1 (near 0 the
    /// error of log Σ; far below, the rounding of x − m), plus the row sum's growth as above; measured ≤ 5 (double,
    /// scalar, a = 177); bound 4 + √a in those units.
    /// </summary>
    private const double LogBound = 4;

    /// <summary>One group of four rows and one more: on AVX-512, rows of ≤ 16 floats run four at a time, and the rest row by row.</summary>
    internal const int RowsForEveryLength = 5;

    public static TheoryData<int, int> Shapes()
    {
        var shapes = new TheoryData<int, int> { { 0, 0 }, { 0, 5 }, { 5, 0 }, { 1, 1 }, { 64, 10 }, { 3, 1000 }, { 2, 4099 } };
        return shapes;
    }

    [Fact]
    public void Float_softmax_matches_the_double_reference_for_every_row_length_0_to_300() =>
        ForEveryRowLength(cols => CheckForward<float>(RowsForEveryLength, cols, log: false));

    [Fact]
    public void Double_softmax_matches_the_double_reference_for_every_row_length_0_to_300() =>
        ForEveryRowLength(cols => CheckForward<double>(RowsForEveryLength, cols, log: false));

    [Fact]
    public void Float_log_softmax_matches_the_double_reference_for_every_row_length_0_to_300() =>
        ForEveryRowLength(cols => CheckForward<float>(RowsForEveryLength, cols, log: true));

    [Fact]
    public void Double_log_softmax_matches_the_double_reference_for_every_row_length_0_to_300() =>
        ForEveryRowLength(cols => CheckForward<double>(RowsForEveryLength, cols, log: true));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Softmax_and_log_softmax_match_the_reference_on_many_and_long_rows(int rows, int cols)
    {
        CheckForward<float>(rows, cols, log: false);
        CheckForward<double>(rows, cols, log: false);
        CheckForward<float>(rows, cols, log: true);
        CheckForward<double>(rows, cols, log: true);
    }

    [Fact]
    public void Float_softmax_is_stable_for_logits_far_beyond_exp_overflow()
    {
        float[] x = [1000f, -1000f, 999f, 0f, -1e30f, 3e38f, 2.9e38f, -3e38f];
        float[] y = new float[x.Length];
        float[] logY = new float[x.Length];
        Activations.Softmax<float>(x, 2, 4, y);
        Activations.LogSoftmax<float>(x, 2, 4, logY);
        Assert.Equal(1 / (1 + Math.Exp(-1)), y[0], 6);
        Assert.Equal(0f, y[1]);
        Assert.Equal(1 / (1 + Math.E), y[2], 6);
        Assert.Equal(0f, y[3]);
        Assert.Equal([0f, 1f, 0f, 0f], y[4..8]);
        Assert.Equal(-2000 - Math.Log(1 + Math.Exp(-1)), logY[1], 3);
        Assert.Equal(-1000 - Math.Log(1 + Math.Exp(-1)), logY[3], 3);
        Assert.Equal(float.NegativeInfinity, logY[7]);
        Assert.True(y.All(float.IsFinite));
    }

    [Fact]
    public void Negative_infinity_masks_a_logit_to_probability_exactly_zero_on_every_path_and_width()
    {
        for (int cols = 2; cols <= 70; cols++)
        {
            float[] x = Inputs.Uniform<float>(cols, -5, 5, cols);
            for (int j = 0; j < cols; j += 3)
            {
                x[j] = float.NegativeInfinity;
            }

            float[] y = new float[cols];
            float[] logY = new float[cols];
            Activations.Softmax<float>(x, 1, cols, y);
            Activations.LogSoftmax<float>(x, 1, cols, logY);
            double[] expected = ReferenceSoftmax(x.Select(v => (double)v).ToArray(), 1, cols, log: false);
            for (int j = 0; j < cols; j++)
            {
                Assert.Equal(j % 3 == 0 ? 0f : (float)expected[j], y[j], j % 3 == 0 ? 0f : 1e-6f);
                Assert.True(j % 3 != 0 || logY[j] == float.NegativeInfinity);
            }
        }
    }

    [Fact]
    public void Non_finite_rows_give_the_documented_results()
    {
        double inf = double.PositiveInfinity;
        double[] x =
        [
            -inf, -inf, -inf, -inf, -inf,
            1, inf, 2, inf, -inf,
            1, 2, double.NaN, 3, 4,
            inf, double.NaN, 1, 2, 3,
            5, 6, 7, 8, inf,
        ];
        double[] y = new double[x.Length];
        double[] logY = new double[x.Length];
        Activations.Softmax<double>(x, 5, 5, y);
        Activations.LogSoftmax<double>(x, 5, 5, logY);
        Assert.All(y[0..5], v => Assert.True(double.IsNaN(v)));
        Assert.Equal([0, 0.5, 0, 0.5, 0], y[5..10]);
        Assert.Equal([-inf, -Math.Log(2), -inf, -Math.Log(2), -inf], logY[5..10]);
        Assert.All(y[10..20].Concat(logY[0..5]).Concat(logY[10..20]), v => Assert.True(double.IsNaN(v)));
        Assert.Equal([0, 0, 0, 0, 1], y[20..25]);
        Assert.Equal([-inf, -inf, -inf, -inf, 0], logY[20..25]);
    }

    [Fact]
    public void Short_rows_with_non_finite_logits_beside_finite_rows_give_the_documented_results()
    {
        // Nine rows: on AVX-512 two groups of four and a last row. Group 0 has a NaN row among finite ones (the
        // native max may drop the NaN, so the group may run the four-row path), group 1 a +∞ row (its maximum is not
        // finite: the group runs row by row); −∞ masks are spread over every row.
        for (int cols = 1; cols <= 17; cols++)
        {
            const int rows = 9;
            double[] x = Inputs.Uniform<double>(rows * cols, -10, 10, cols);
            for (int i = 2; i < x.Length; i += 5)
            {
                x[i] = double.NegativeInfinity;
            }

            for (int r = 0; r < rows; r++)
            {
                x[(r * cols) + ((r * 3) % cols)] = r;
            }

            x[(1 * cols) + (cols / 2)] = double.NaN;
            x[(6 * cols) + (cols - 1)] = double.PositiveInfinity;
            foreach (bool log in new[] { false, true })
            {
                // Each type against the reference of its own inputs (the float ones are the double ones rounded).
                // Finite entries: a probability is within a few ULP of 1 of it (exp, the sum, the division; float ULP
                // 6e−8, double 1.1e−16), a log-probability within a few ULP of max(1, |y|); 1e−6 and 1e−15 leave
                // a margin of about 16 and 9 ULP.
                double[] expected = ReferenceSoftmax(x, rows, cols, log);
                float[] xFloat = x.Select(v => (float)v).ToArray();
                double[] expectedFloat = ReferenceSoftmax(xFloat.Select(v => (double)v).ToArray(), rows, cols, log);
                float[] yFloat = new float[x.Length];
                double[] yDouble = new double[x.Length];
                Forward<float>(xFloat, rows, cols, yFloat, log);
                Forward<double>(x, rows, cols, yDouble, log);
                for (int i = 0; i < x.Length; i++)
                {
                    int row = i / cols;
                    string where = $"{Prefix(log)}softmax [{rows}×{cols}] at {i} on {SimdInfo.ActivePath}";
                    if (row == 1)
                    {
                        Assert.True(float.IsNaN(yFloat[i]) && double.IsNaN(yDouble[i]), $"NaN row {where}: {yFloat[i]}, {yDouble[i]}");
                    }
                    else if (row == 6)
                    {
                        // Probability 1 (log 0) at the +∞, 0 (−∞) elsewhere; the reference gives NaN there.
                        bool atInfinity = i == (6 * cols) + (cols - 1);
                        double share = log ? (atInfinity ? 0 : double.NegativeInfinity) : (atInfinity ? 1 : 0);
                        Assert.True(yFloat[i] == share && yDouble[i] == share, $"+∞ row {where}: {yFloat[i]}, {yDouble[i]}");
                    }
                    else if (double.IsNegativeInfinity(x[i]))
                    {
                        Assert.True(yFloat[i] == expected[i] && yDouble[i] == expected[i], $"masked {where}: {yFloat[i]}, {yDouble[i]} vs {expected[i]}");
                    }
                    else
                    {
                        double scale = log ? Math.Max(1, Math.Abs(expected[i])) : 1;
                        Assert.True(Math.Abs(yFloat[i] - expectedFloat[i]) <= 1e-6 * scale, $"float {where}: {yFloat[i]} vs {expectedFloat[i]}");
                        Assert.True(Math.Abs(yDouble[i] - expected[i]) <= 1e-15 * scale, $"double {where}: {yDouble[i]} vs {expected[i]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Forward_in_place_equals_out_of_place()
    {
        foreach (int cols in new[] { 1, 3, 10, 17, 33, 100 })
        {
            float[] x = Inputs.Uniform<float>(4 * cols, -20, 20, cols);
            float[] y = new float[x.Length];
            float[] inPlace = (float[])x.Clone();
            Activations.Softmax<float>(x, 4, cols, y);
            Activations.Softmax<float>(inPlace, 4, cols, inPlace);
            Assert.Equal(y, inPlace);
            Activations.LogSoftmax<float>(x, 4, cols, y);
            inPlace = (float[])x.Clone();
            Activations.LogSoftmax<float>(inPlace, 4, cols, inPlace);
            Assert.Equal(y, inPlace);
        }
    }

    [Fact]
    public void Float_backward_matches_the_double_reference_for_every_row_length_0_to_300() =>
        ForEveryRowLength(cols =>
        {
            CheckBackward<float>(2, cols, log: false);
            CheckBackward<float>(2, cols, log: true);
        });

    [Fact]
    public void Double_backward_matches_the_double_reference_for_every_row_length_0_to_300() =>
        ForEveryRowLength(cols =>
        {
            CheckBackward<double>(2, cols, log: false);
            CheckBackward<double>(2, cols, log: true);
        });

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 10)]
    [InlineData(2, 37)]
    [InlineData(1, 300)]
    public void Backward_matches_central_finite_differences_in_double(int rows, int cols)
    {
        double[] x = Inputs.Uniform<double>(rows * cols, -4, 4, cols);
        double[] dy = Inputs.Uniform<double>(rows * cols, -1, 1, cols + 1);
        foreach (bool log in new[] { false, true })
        {
            double[] y = new double[x.Length];
            double[] dx = new double[x.Length];
            Forward(x, rows, cols, y, log);
            Backward<double>(y, dy, rows, cols, dx, log);

            // L(x) = ⟨dy, f(x)⟩; ∂L/∂xᵢ by central differences, step h = 1e−5: truncation O(h²) ≈ 1e−10, and the
            // rounding of L (ε·Σ|terms| ≈ 1e−13 for a 300-long log-softmax row) divided by h, ≈ 3e−8; tolerance 1e−7.
            const double h = 1e-5;
            for (int i = 0; i < x.Length; i++)
            {
                double saved = x[i];
                x[i] = saved + h;
                double plus = Objective(x, dy, rows, cols, log);
                x[i] = saved - h;
                double minus = Objective(x, dy, rows, cols, log);
                x[i] = saved;
                Assert.Equal((plus - minus) / (2 * h), dx[i], 1e-7);
            }
        }
    }

    [Fact]
    public void Backward_in_place_on_dy_or_y_equals_out_of_place()
    {
        foreach (bool log in new[] { false, true })
        {
            float[] x = Inputs.Uniform<float>(5 * 23, -3, 3, 1);
            float[] y = new float[x.Length];
            Forward<float>(x, 5, 23, y, log);
            float[] dy = Inputs.Uniform<float>(x.Length, -1, 1, 2);
            float[] dx = new float[x.Length];
            Backward<float>(y, dy, 5, 23, dx, log);
            float[] onDy = (float[])dy.Clone();
            Backward<float>(y, onDy, 5, 23, onDy, log);
            float[] onY = (float[])y.Clone();
            Backward<float>(onY, dy, 5, 23, onY, log);
            Assert.Equal(dx, onDy);
            Assert.Equal(dx, onY);
        }
    }

    [Fact]
    public void Softmax_backward_is_zero_at_masked_entries_and_log_softmax_backward_passes_dy_there()
    {
        double[] x = [double.NegativeInfinity, 1, 2, double.NegativeInfinity];
        double[] dy = [0.5, -1, 2, 3];
        double[] y = new double[4];
        double[] dx = new double[4];
        Activations.Softmax<double>(x, 1, 4, y);
        Activations.SoftmaxBackwardFromOutput<double>(y, dy, 1, 4, dx);
        Assert.Equal(0, dx[0]);
        Assert.Equal(0, dx[3]);
        Activations.LogSoftmax<double>(x, 1, 4, y);
        Activations.LogSoftmaxBackwardFromOutput<double>(y, dy, 1, 4, dx);
        Assert.Equal(0.5, dx[0]);
        Assert.Equal(3, dx[3]);
    }

    [Fact]
    public void Bad_arguments_throw_naming_the_parameter_and_leave_the_destination_untouched()
    {
        float[] x = new float[12];
        float[] dy = new float[12];
        AssertRejects("rows", () => Activations.Softmax<float>(x, -1, 12, Untouched()));
        AssertRejects("cols", () => Activations.LogSoftmax<float>(x, 3, -4, Untouched()));
        AssertRejects("x", () => Activations.Softmax<float>(x, 3, 5, Untouched()));
        AssertRejects("x", () => Activations.Softmax<float>(x, 65536, 65536, Untouched()));
        AssertRejects("y", () => Activations.Softmax<float>(x, 3, 4, new float[11]));
        AssertRejects("y", () => Activations.SoftmaxBackwardFromOutput<float>(new float[11], dy, 3, 4, Untouched()));
        AssertRejects("dy", () => Activations.LogSoftmaxBackwardFromOutput<float>(x, new float[13], 3, 4, Untouched()));
        AssertRejects("dx", () => Activations.SoftmaxBackwardFromOutput<float>(x, dy, 3, 4, new float[11]));

        float[] shared = Enumerable.Repeat(7f, 16).ToArray();
        var error = Assert.Throws<ArgumentException>(() => Activations.Softmax<float>(shared.AsSpan(0, 12), 3, 4, shared.AsSpan(4, 12)));
        Assert.Equal("y", error.ParamName);
        Assert.All(shared, v => Assert.Equal(7f, v));
        error = Assert.Throws<ArgumentException>(() => Activations.SoftmaxBackwardFromOutput<float>(x, shared.AsSpan(0, 12), 3, 4, shared.AsSpan(1, 12)));
        Assert.Equal("dx", error.ParamName);
        Assert.All(shared, v => Assert.Equal(7f, v));
    }

    internal static float[] Untouched() => Enumerable.Repeat(7f, 12).ToArray();

    internal static void AssertRejects(string parameter, Action call)
    {
        var error = Assert.Throws<ArgumentException>(call);
        Assert.Equal(parameter, error.ParamName);
    }

    /// <summary>Plain softmax / log-softmax in double, the definition with the row maximum subtracted.</summary>
    internal static double[] ReferenceSoftmax(double[] x, int rows, int cols, bool log)
    {
        double[] y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < cols; j++)
            {
                max = Math.Max(max, x[(r * cols) + j]);
            }

            // Neumaier-compensated, so that the reference's own sum stays accurate to ≈ 1 ULP of double on long rows.
            double sum = 0;
            double compensation = 0;
            for (int j = 0; j < cols; j++)
            {
                double term = Math.Exp(x[(r * cols) + j] - max);
                double next = sum + term;
                compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - next) + term : (term - next) + sum;
                sum = next;
            }

            sum += compensation;

            for (int j = 0; j < cols; j++)
            {
                double shifted = x[(r * cols) + j] - max;
                y[(r * cols) + j] = log ? shifted - Math.Log(sum) : Math.Exp(shifted) / sum;
            }
        }

        return y;
    }

    private static void ForEveryRowLength(Action<int> check)
    {
        foreach (int cols in Inputs.AllLengths)
        {
            check(cols);
        }
    }

    private static void CheckForward<T>(int rows, int cols, bool log)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] x = Inputs.Uniform<T>(rows * cols, -12, 12, (rows * 1000) + cols);
        T[] y = new T[x.Length];
        Forward<T>(x, rows, cols, y, log);
        double[] input = x.Select(double.CreateTruncating).ToArray();
        double[] expected = ReferenceSoftmax(input, rows, cols, log);
        for (int r = 0; r < rows; r++)
        {
            double max = input.AsSpan(r * cols, cols).ToArray().DefaultIfEmpty().Max();
            for (int i = r * cols; i < (r + 1) * cols; i++)
            {
                double shift = Math.Abs(input[i] - max);
                double error = log ? ErrorOfLog(y[i], expected[i], shift) : Error(y[i], expected[i]) - shift;
                Assert.True(
                    error <= (log ? LogBound : Bound) + Math.Sqrt(AdditionsPerLane<T>(cols)),
                    $"{Prefix(log)}softmax {typeof(T).Name} [{rows}×{cols}] at {i}: {y[i]} vs {expected[i]}, {error:F2} ULP beyond |x − m| = {shift:F2} on {SimdInfo.ActivePath}");
            }
        }
    }

    private static void CheckBackward<T>(int rows, int cols, bool log)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] x = Inputs.Uniform<T>(rows * cols, -6, 6, cols);
        T[] dy = Inputs.Uniform<T>(rows * cols, -1, 1, cols + 7);
        T[] y = new T[x.Length];
        Forward<T>(x, rows, cols, y, log);
        T[] dx = new T[x.Length];
        Backward<T>(y, dy, rows, cols, dx, log);

        // Reference from the same y and dy, in double: dx = y(dy − ⟨dy, y⟩) or dy − exp(y)Σdy. The kernel's row
        // reduction rounds in T, so compare in units of the row's scale Σ|terms| · ε(T), with bound 4 (measured ≤ 1.2).
        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);
        for (int r = 0; r < rows; r++)
        {
            double reduction = 0;
            double scale = 0;
            for (int j = 0; j < cols; j++)
            {
                double yj = double.CreateTruncating(y[(r * cols) + j]);
                double dyj = double.CreateTruncating(dy[(r * cols) + j]);
                reduction += log ? dyj : dyj * yj;
                scale += Math.Abs(log ? dyj : dyj * yj);
            }

            for (int j = 0; j < cols; j++)
            {
                double yj = double.CreateTruncating(y[(r * cols) + j]);
                double dyj = double.CreateTruncating(dy[(r * cols) + j]);
                double expected = log ? dyj - (Math.Exp(yj) * reduction) : yj * (dyj - reduction);
                double tolerance = 4 * epsilon * (Math.Abs(expected) + (log ? Math.Exp(yj) : yj) * scale + Math.Abs(dyj));
                double actual = double.CreateTruncating(dx[(r * cols) + j]);
                Assert.True(Math.Abs(actual - expected) <= tolerance, $"{Prefix(log)}softmax backward {typeof(T).Name} [{rows}×{cols}] at {j}: {actual} vs {expected}");
            }
        }
    }

    /// <summary>How many terms each vector lane of the active path adds in a row of <paramref name="cols"/>.</summary>
    internal static double AdditionsPerLane<T>(int cols)
    {
        int bytes = SimdInfo.ActivePath switch
        {
            SimdPath.Vector512 => 64,
            SimdPath.Vector256 => 32,
            SimdPath.Vector128 => 16,
            _ => System.Runtime.CompilerServices.Unsafe.SizeOf<T>(),
        };
        return Math.Ceiling(cols / (double)(bytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
    }

    private static string Prefix(bool log) => log ? "log-" : "";

    private static double Objective(double[] x, double[] dy, int rows, int cols, bool log)
    {
        double[] y = ReferenceSoftmax(x, rows, cols, log);
        return y.Zip(dy, (a, b) => a * b).Sum();
    }

    private static void Forward<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y, bool log)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (log)
        {
            Activations.LogSoftmax(x, rows, cols, y);
        }
        else
        {
            Activations.Softmax(x, rows, cols, y);
        }
    }

    private static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx, bool log)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (log)
        {
            Activations.LogSoftmaxBackwardFromOutput(y, dy, rows, cols, dx);
        }
        else
        {
            Activations.SoftmaxBackwardFromOutput(y, dy, rows, cols, dx);
        }
    }

    private static double Error<T>(T actual, double expected)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Ulp.Error(float.CreateTruncating(actual), expected) : Ulp.Error(double.CreateTruncating(actual), expected);

    private static double ErrorOfLog<T>(T actual, double expected, double shift)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double scale = Math.Max(Math.Max(Math.Abs(expected), shift), 1);
        double spacing = typeof(T) == typeof(float) ? Ulp.Spacing((float)scale) : Math.Pow(2, Math.ILogB(scale) - 52);
        return Math.Abs(double.CreateTruncating(actual) - expected) / spacing;
    }
}
