namespace FastBackprop.Tests.Seeds;

/// <summary>
/// Seed 001: σ′ = σ(1 − σ); output delta δ = (y − ŷ)·σ′ at x = −1.28 with ŷ = 0.21, y = 1, cost ½Σ(y − ŷ)².
/// </summary>
public class Seed001Tests
{
    [Fact]
    public void Output_delta_with_the_half_sum_convention_is_0_131_from_the_texts_numbers()
    {
        double[] prediction = [0.21];
        double[] target = [1];
        double[] dEdy = new double[1];
        double cost = Losses.HalfSquaredErrorSum<double>(prediction, target, dEdy);

        // E = ½(1 − 0.21)², ∂E/∂ŷ = −(y − ŷ) = −0.79 (the text's equation 8).
        Assert.Equal(0.5 * 0.79 * 0.79, cost, 15);
        Assert.Equal(-0.79, dEdy[0], 15);

        // The text evaluates σ(−1.28) as ŷ = 0.21, so σ′ = 0.21·(1 − 0.21): the output-based derivative.
        // δ is the negative gradient: (y − ŷ)·σ′ = 0.79·0.21·0.79 = 0.131.
        double[] dEdx = new double[1];
        Activations.SigmoidBackwardFromOutput<double>(prediction, dEdy, dEdx);
        Assert.Equal(0.131, Math.Round(-dEdx[0], 3));
        Assert.Equal(0.79 * 0.21 * 0.79, -dEdx[0], 15);
    }

    [Fact]
    public void Sigmoid_derivative_from_the_input_equals_sigma_times_one_minus_sigma()
    {
        double[] x = [-1.28];
        double[] sigma = new double[1];
        Activations.Sigmoid<double>(x, sigma);
        double[] fromInput = new double[1];
        double[] fromOutput = new double[1];
        Activations.SigmoidBackward<double>(x, [1.0], fromInput);
        Activations.SigmoidBackwardFromOutput<double>(sigma, [1.0], fromOutput);

        // σ(−1.28) = 0.2176 (the text rounds it to 0.21); σ′ = σ(1 − σ) = 0.1702 either way.
        Assert.Equal(0.2176, sigma[0], 4);
        Assert.Equal(fromOutput[0], fromInput[0], 15);
        Assert.Equal(0.1702, fromInput[0], 4);
    }
}
