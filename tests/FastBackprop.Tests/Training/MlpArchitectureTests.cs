using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

/// <summary>An architecture that could be built but not loaded back would be saved over a good checkpoint: it is rejected when built.</summary>
public class MlpArchitectureTests
{
    public static IEnumerable<object[]> NonFiniteAlphas() =>
        from activation in new[]
        {
            Activation.LeakyRelu(double.NaN), Activation.Elu(double.PositiveInfinity), Activation.Elu(double.NegativeInfinity),
            new Activation(ActivationKind.Relu, double.NaN),
        }
        select new object[] { activation };

    [Theory]
    [MemberData(nameof(NonFiniteAlphas))]
    public void A_non_finite_activation_parameter_is_rejected_naming_the_layer(Activation activation)
    {
        var exception = Assert.Throws<ArgumentException>(() => new MlpArchitecture(
            2, [new DenseLayer(3, Activation.Tanh), new DenseLayer(4, activation), new DenseLayer(1, Activation.Identity)], LossKind.MeanSquaredError));
        Assert.Equal("layers", exception.ParamName);
        Assert.Contains("layer 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_activation_kind_is_rejected()
    {
        var exception = Assert.Throws<ArgumentException>(() => new MlpArchitecture(
            2, [new DenseLayer(3, new Activation((ActivationKind)99, 0))], LossKind.MeanSquaredError));
        Assert.Equal("layers", exception.ParamName);
    }

    [Fact]
    public void More_layers_than_a_checkpoint_holds_are_rejected()
    {
        DenseLayer[] layers = [.. Enumerable.Repeat(new DenseLayer(1, Activation.Identity), Checkpoint.MaxLayers + 1)];
        var exception = Assert.Throws<ArgumentException>(() => new MlpArchitecture(1, layers, LossKind.MeanSquaredError));
        Assert.Equal("layers", exception.ParamName);
        Assert.Equal(Checkpoint.MaxLayers, new MlpArchitecture(1, layers[1..], LossKind.MeanSquaredError).Layers.Count);
    }

    /// <summary>Layers of 2³¹ − 1 units make each W hold ≈ 2⁶² weights: six of them overflow a long, which must not wrap.</summary>
    [Fact]
    public void A_parameter_count_beyond_long_is_rejected_instead_of_wrapping()
    {
        DenseLayer[] layers = [.. Enumerable.Repeat(new DenseLayer(int.MaxValue, Activation.Identity), 6)];
        var exception = Assert.Throws<ArgumentException>(() => new MlpArchitecture(int.MaxValue, layers, LossKind.MeanSquaredError));
        Assert.Equal("layers", exception.ParamName);
        Assert.True(new MlpArchitecture(int.MaxValue, layers[..1], LossKind.MeanSquaredError).ParameterCount > int.MaxValue);
    }
}
