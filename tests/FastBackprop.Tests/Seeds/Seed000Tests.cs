namespace FastBackprop.Tests.Seeds;

/// <summary>
/// Seed 000: a sigmoid output at z = 50 with target 0 and cost (a − y)². σ(50) rounds to 1, so the output-based
/// derivative a(1 − a) is 0 and learning stops although the cost is 1.
/// </summary>
public class Seed000Tests
{
    [Fact]
    public void Binary_cross_entropy_with_logits_at_z_50_y_0_has_gradient_1_and_a_finite_loss_50()
    {
        float[] z = [50f];
        float[] y = [0f];
        float[] gradient = new float[1];
        float loss = Losses.SigmoidCrossEntropy<float>(z, y, gradient);

        // L = max(z, 0) − z·y + log(1 + e⁻⁵⁰) = 50 + 2e−22; ∂L/∂z = σ(50) − 0 = 1 (N = 1).
        Assert.Equal(50f, loss);
        Assert.Equal(1f, gradient[0], 6);

        double[] zd = [50];
        double[] yd = [0];
        double[] gd = new double[1];
        Assert.Equal(50, Losses.SigmoidCrossEntropy<double>(zd, yd, gd), 12);
        Assert.Equal(1 - Math.Exp(-50), gd[0], 15);
    }

    [Fact]
    public void Squared_error_through_the_saturated_sigmoid_vanishes_from_the_output_but_not_from_the_input()
    {
        float[] z = [50f];
        float[] a = new float[1];
        Activations.Sigmoid<float>(z, a);
        Assert.Equal(1f, a[0]);

        float[] dCda = new float[1];
        float cost = Losses.SquaredErrorSum<float>(a, [0f], dCda);
        Assert.Equal(1f, cost);
        Assert.Equal(2f, dCda[0]);

        float[] fromOutput = new float[1];
        Activations.SigmoidBackwardFromOutput<float>(a, dCda, fromOutput);
        Assert.Equal(0f, fromOutput[0]);

        // σ′(50) = e⁻⁵⁰/(1 + e⁻⁵⁰)² ≈ 1.93e−22, a normal float: the x-based derivative keeps it.
        float[] fromInput = new float[1];
        Activations.SigmoidBackward<float>(z, dCda, fromInput);
        Assert.Equal(2 * Math.Exp(-50), fromInput[0], 2 * Math.Exp(-50) * 1e-6);
    }
}
