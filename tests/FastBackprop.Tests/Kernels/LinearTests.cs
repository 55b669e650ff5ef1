using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

public class LinearTests
{
    [Fact]
    public void Axpy_and_scale_match_the_double_reference_for_every_length_0_to_300()
    {
        foreach (int n in Inputs.AllLengths)
        {
            float[] x = Inputs.Uniform<float>(n, -2, 2, n);
            float[] y = Inputs.Uniform<float>(n, -2, 2, n + 1);
            float[] updated = (float[])y.Clone();
            Linear.Axpy(-0.1f, x, updated);
            float[] scaled = (float[])x.Clone();
            Linear.Scale(0.3f, scaled);
            for (int i = 0; i < n; i++)
            {
                // Fused: one rounding, ½ ULP of the result; unfused (SSE, scalar without FMA) the product rounds too. In
                // ULP S of max(|αx|, |y|): ½S for the product plus ½ULP of a result up to 2·max, ≤ 1.5 S.
                double expected = (-0.1f * (double)x[i]) + y[i];
                double spacing = Ulp.Spacing(Math.Max(Math.Abs(0.1f * x[i]), Math.Abs(y[i])));
                Assert.True(Math.Abs(updated[i] - expected) <= 1.5 * spacing, $"axpy n {n} at {i}: {updated[i]} vs {expected}");
                Assert.Equal((float)(0.3f * (double)x[i]), scaled[i]);
            }

            double[] xd = Inputs.Uniform<double>(n, -2, 2, n);
            double[] yd = (double[])xd.Clone();
            Linear.Axpy(2.0, xd, yd);
            Assert.Equal(xd.Select(v => 3 * v), yd);
        }
    }

    [Fact]
    public void Bias_add_and_bias_gradient_match_the_reference_for_sampled_shapes()
    {
        foreach ((int rows, int cols) in new[] { (0, 3), (3, 0), (1, 1), (5, 10), (7, 33), (2, 300), (64, 17) }.Concat(Inputs.AllLengths.Take(71).Select(c => (3, c))))
        {
            double[] bias = Inputs.Uniform<double>(cols, -1, 1, cols);
            double[] y = Inputs.Uniform<double>(rows * cols, -1, 1, cols + 1);
            double[] expected = y.Select((v, i) => v + bias[i % Math.Max(cols, 1)]).ToArray();
            Linear.AddBias<double>(bias, rows, cols, y);
            Assert.Equal(expected, y);

            float[] dy = Inputs.Uniform<float>(rows * cols, -1, 1, cols + 2);
            float[] db = Enumerable.Repeat(7f, cols).ToArray();
            Linear.BiasGradient<float>(dy, rows, cols, db);
            for (int c = 0; c < cols; c++)
            {
                // Rows added in order in float, as the reference does: identical results.
                float sum = 0;
                for (int r = 0; r < rows; r++)
                {
                    sum += dy[(r * cols) + c];
                }

                Assert.Equal(sum, db[c]);
            }
        }
    }

    [Fact]
    public void Bias_add_and_bias_gradient_are_exact_for_every_shape_to_40_by_40_and_write_only_their_destination()
    {
        // Rows shorter than a vector run as one flat span with a bias window per phase (BiasDriver); every row count
        // and width up to 40 crosses each phase of 16 lanes and the lengths below one vector. The destination lies
        // inside a larger array between sentinels that a stray store would overwrite.
        const int Margin = 20;
        const float Sentinel = -12345f;
        for (int rows = 0; rows <= 40; rows++)
        {
            for (int cols = 0; cols <= 40; cols++)
            {
                int length = rows * cols;
                float[] bias = Inputs.Uniform<float>(cols, -1, 1, cols + 3);
                float[] y = Inputs.Uniform<float>(length, -1, 1, length + 5);
                float[] buffer = Enumerable.Repeat(Sentinel, length + (2 * Margin)).ToArray();
                y.CopyTo(buffer, Margin);
                Linear.AddBias<float>(bias, rows, cols, buffer.AsSpan(Margin, length));
                for (int i = 0; i < length; i++)
                {
                    // The sum of two floats is exact in double, so rounding it once gives the correctly rounded float sum.
                    Assert.Equal((float)((double)y[i] + bias[i % cols]), buffer[Margin + i]);
                }

                Assert.All(buffer.AsSpan(0, Margin).ToArray().Concat(buffer.AsSpan(Margin + length).ToArray()), v => Assert.Equal(Sentinel, v));

                double[] dy = Inputs.Uniform<double>(length, -1, 1, length + 7);
                double[] sums = Enumerable.Repeat((double)Sentinel, cols + (2 * Margin)).ToArray();
                Linear.BiasGradient<double>(dy, rows, cols, sums.AsSpan(Margin, cols));
                for (int c = 0; c < cols; c++)
                {
                    double sum = 0;
                    for (int r = 0; r < rows; r++)
                    {
                        sum += dy[(r * cols) + c];
                    }

                    Assert.Equal(sum, sums[Margin + c]);
                }

                Assert.All(sums.AsSpan(0, Margin).ToArray().Concat(sums.AsSpan(Margin + cols).ToArray()), v => Assert.Equal(Sentinel, v));
            }
        }
    }

    [Fact]
    public void Bad_arguments_throw_naming_the_parameter_and_leave_the_destination_untouched()
    {
        float[] destination = Enumerable.Repeat(7f, 12).ToArray();
        AssertRejects("bias", () => Linear.AddBias<float>(new float[3], 3, 4, destination));
        AssertRejects("y", () => Linear.AddBias<float>(new float[4], 4, 4, destination));
        AssertRejects("rows", () => Linear.AddBias<float>(new float[4], -3, 4, destination));
        AssertRejects("y", () => Linear.AddBias<float>(destination.AsSpan(0, 4), 3, 4, destination));
        AssertRejects("db", () => Linear.BiasGradient<float>(new float[12], 3, 4, destination.AsSpan(0, 5)));
        AssertRejects("dy", () => Linear.BiasGradient<float>(new float[12], 4, 4, destination.AsSpan(0, 4)));
        AssertRejects("db", () => Linear.BiasGradient<float>(destination, 3, 4, destination.AsSpan(8, 4)));
        AssertRejects("y", () => Linear.Axpy(1f, new float[11], destination));
        AssertRejects("y", () => Linear.Axpy(1f, destination.AsSpan(1, 11), destination.AsSpan(0, 11)));
        Assert.All(destination, v => Assert.Equal(7f, v));
    }

    private static void AssertRejects(string parameter, Action call)
    {
        var error = Assert.Throws<ArgumentException>(call);
        Assert.Equal(parameter, error.ParamName);
    }
}
