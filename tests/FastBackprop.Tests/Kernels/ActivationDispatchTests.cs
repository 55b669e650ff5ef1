using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>The Activation entries, the backward from the output of every kind that has one, and ops' own edge properties.</summary>
public class ActivationDispatchTests
{
    public static IEnumerable<object[]> FromOutputKinds =>
        [[ActivationKind.Identity, 0.0], [ActivationKind.Sigmoid, 0.0], [ActivationKind.Tanh, 0.0], [ActivationKind.Relu, 0.0], [ActivationKind.Elu, 1.5]];

    public static IEnumerable<object[]> InputOnlyKinds =>
        ActivationInfo.All.Where(i => !i.SupportsBackwardFromOutput(i.DefaultAlpha)).Select(i => new object[] { i.Kind });

    [Theory]
    [MemberData(nameof(FromOutputKinds))]
    public void Backward_from_output_agrees_with_backward_from_input_away_from_saturation(ActivationKind kind, double alpha)
    {
        var activation = new Activation(kind, alpha);
        Assert.True(activation.SupportsBackwardFromOutput);
        double[] x = Inputs.Uniform<double>(300, -4, 4, seed: 5);
        double[] dy = Inputs.Uniform<double>(300, -2, 2, seed: 6);
        double[] y = new double[x.Length];
        double[] fromInput = new double[x.Length];
        double[] fromOutput = new double[x.Length];
        Activations.Forward<double>(activation, x, y);
        Activations.Backward<double>(activation, x, dy, fromInput);
        Activations.BackwardFromOutput<double>(activation, y, dy, fromOutput);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(fromOutput[i] - fromInput[i]) <= 1e-13, $"{kind} x = {x[i]:R}: {fromOutput[i]:R} vs {fromInput[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(InputOnlyKinds))]
    public void Backward_from_output_is_refused_for_kinds_whose_derivative_is_not_a_function_of_y(ActivationKind kind)
    {
        var activation = new Activation(kind, 0.1);
        Assert.False(activation.SupportsBackwardFromOutput);
        float[] dx = [7, 7];
        var error = Assert.Throws<ArgumentException>(() => Activations.BackwardFromOutput<float>(activation, [1, 2], [1, 1], dx));
        Assert.Equal("activation", error.ParamName);
        Assert.Equal([7f, 7f], dx);
    }

    [Fact]
    public void An_undefined_kind_is_an_argument_error_naming_activation()
    {
        var activation = new Activation((ActivationKind)99, 0);
        float[] y = [7];
        Assert.Equal("activation", Assert.Throws<ArgumentException>(() => Activations.Forward<float>(activation, [1], y)).ParamName);
        Assert.Equal("activation", Assert.Throws<ArgumentException>(() => Activations.Backward<float>(activation, [1], [1], y)).ParamName);
        Assert.Equal([7f], y);
    }

    [Fact]
    public void Named_activations_carry_their_kind_and_default_alpha()
    {
        Assert.Equal(new Activation(ActivationKind.LeakyRelu, 0.01), Activation.LeakyRelu());
        Assert.Equal(new Activation(ActivationKind.Elu, 1.0), Activation.Elu());
        Assert.Equal(ActivationKind.GeluErf, Activation.GeluErf.Kind);
        Assert.False(Activation.Elu(-1).SupportsBackwardFromOutput);
    }

    [Fact]
    public void Tanh_keeps_relative_accuracy_near_zero_and_the_sign_of_zero()
    {
        float[] x = [1e-20f, -3e-8f, 1e-40f, -0f, 0f];
        float[] y = new float[x.Length];
        Activations.Tanh<float>(x, y);
        Assert.True(Ulp.Error(y[0], Math.Tanh(1e-20f)) <= 2, $"{y[0]:R}");
        Assert.True(Ulp.Error(y[1], Math.Tanh(-3e-8f)) <= 2, $"{y[1]:R}");
        Assert.Equal(1e-40f, y[2]);
        Assert.True(float.IsNegative(y[3]) && y[3] == 0);
        Assert.True(float.IsPositive(y[4]) && y[4] == 0);
    }

    [Fact]
    public void Softplus_returns_x_for_large_x_and_never_overflows()
    {
        float[] x = [20f, 1e30f, float.MaxValue, float.PositiveInfinity, -200f];
        float[] y = new float[x.Length];
        Activations.Softplus<float>(x, y);
        Assert.Equal([20f, 1e30f, float.MaxValue, float.PositiveInfinity, 0f], y);
    }

    [Fact]
    public void Log_sigmoid_is_minus_softplus_of_minus_x()
    {
        double[] x = Inputs.Uniform<double>(200, -50, 50, seed: 9);
        double[] logSigmoid = new double[x.Length];
        double[] softplus = new double[x.Length];
        Activations.LogSigmoid<double>(x, logSigmoid);
        Activations.Softplus<double>(x.Select(v => -v).ToArray(), softplus);
        Assert.Equal(softplus.Select(v => -v), logSigmoid);
    }
}
