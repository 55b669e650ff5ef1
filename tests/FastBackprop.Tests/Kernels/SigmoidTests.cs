using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>Sigmoid's own properties: seed 000's saturation trap, the backward from the output, seed 002's step.</summary>
public class SigmoidTests
{
    [Fact]
    public void Sigmoid_backward_from_input_is_accurate_where_output_saturates_seed_000()
    {
        float[] x = [50f];
        float[] y = new float[1];
        float[] fromInput = new float[1];
        float[] fromOutput = new float[1];
        Activations.Sigmoid<float>(x, y);
        Activations.SigmoidBackward<float>(x, [1f], fromInput);
        Activations.SigmoidBackwardFromOutput<float>(y, [1f], fromOutput);

        Assert.Equal(1f, y[0]);
        Assert.Equal(0f, fromOutput[0]);
        Assert.True(Ulp.Error(fromInput[0], Reference.SigmoidDerivative(50)) <= 2, $"σ′(50) = {fromInput[0]:R}");
        Assert.InRange(fromInput[0], 1.92e-22f, 1.94e-22f);
    }

    [Fact]
    public void Sigmoid_backward_from_output_is_y_times_one_minus_y_times_dy()
    {
        double[] x = Inputs.Uniform<double>(300, -8, 8, seed: 11);
        double[] dy = Inputs.Uniform<double>(300, -2, 2, seed: 12);
        double[] y = new double[x.Length];
        double[] dx = new double[x.Length];
        Activations.Sigmoid<double>(x, y);
        Activations.SigmoidBackwardFromOutput<double>(y, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = dy[i] * Reference.SigmoidDerivative(x[i]);
            Assert.True(Math.Abs(dx[i] - expected) <= 1e-14 * Math.Abs(dy[i]), $"x = {x[i]:R}: {dx[i]:R} vs {expected:R}");
        }
    }

    [Fact]
    public void Sigmoid_backward_from_output_rejects_mismatched_and_overlapping_spans()
    {
        float[] buffer = [0.5f, 0.5f, 0.5f, 0.5f, 0.5f];
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => Activations.SigmoidBackwardFromOutput<float>(buffer.AsSpan(0, 4), new float[3], new float[4])).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => Activations.SigmoidBackwardFromOutput<float>(buffer.AsSpan(0, 4), new float[4], buffer.AsSpan(1, 4))).ParamName);
        Assert.All(buffer, v => Assert.Equal(0.5f, v));
    }

    /// <summary>Seed 002's printed step from its rounded inputs: σ′(−0.85)·0.60·0.61 = 0.0768 → 0.077, then −1.4 − 0.1·0.077 = −1.4077.</summary>
    [Fact]
    public void Seed_002_output_weight_gradient_from_the_texts_rounded_values_is_0_077()
    {
        double[] dz = new double[1];
        Activations.SigmoidBackward<double>([-0.85], [0.60], dz);
        double gradient = dz[0] * 0.61;
        Assert.Equal(0.0768, gradient, 4);
        Assert.Equal(0.077, Math.Round(gradient, 3));
        Assert.Equal(-1.4077, -1.4 - (0.1 * Math.Round(gradient, 3)), 10);
    }

    [Fact]
    public void Relu_derivative_at_zero_is_zero_as_in_seed_002()
    {
        float[] dx = new float[3];
        Activations.ReluBackward<float>([0f, -0f, 0.61f], [1f, 1f, 1f], dx);
        Assert.Equal([0f, 0f, 1f], dx);
        Activations.ReluBackwardFromOutput<float>([0f, 0f, 0.61f], [1f, 1f, 1f], dx);
        Assert.Equal([0f, 0f, 1f], dx);
    }
}
