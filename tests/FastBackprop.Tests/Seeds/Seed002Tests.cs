namespace FastBackprop.Tests.Seeds;

/// <summary>
/// Seed 002: a 2-2-2 network (ReLU hidden, sigmoid output, J = Σ(z − y)², no bias) with x = (1, 1), y = (0, 1).
/// The weights the text implies: hidden rows summing to 0.61 and −0.64, Θ_out11 = −1.4, Θ_out21 = −0.81.
/// ReLU is written inline here (p ≤ 0 → 0, ReLU′(0) = 0) because the ReLU kernel lands in another branch; the
/// products are plain loops because GEMM does too.
/// </summary>
public class Seed002Tests
{
    [Fact]
    public void End_to_end_from_the_weights_in_double_gives_the_exact_values_that_round_to_the_table()
    {
        double[] x = [1, 1];
        double[] target = [0, 1];
        double[,] hidden = { { 0.30, 0.31 }, { -0.30, -0.34 } };

        // Θ_out12 and Θ_out22 multiply the dead hidden unit: any values give the same table.
        double[,] output = { { -1.4, 0.5 }, { -0.81, 0.7 } };

        double[] pHidden = MatVec(hidden, x);
        double[] zHidden = pHidden.Select(p => p > 0 ? p : 0).ToArray();
        double[] pOut = MatVec(output, zHidden);
        double[] zOut = new double[2];
        Activations.Sigmoid<double>(pOut, zOut);
        double[] dJdz = new double[2];
        double cost = Losses.SquaredErrorSum<double>(zOut, target, dJdz);
        double[] dJdp = new double[2];
        Activations.SigmoidBackward<double>(pOut, dJdz, dJdp);

        // Hidden error gradient ∂J/∂z_hid_t = Σ_k ∂J/∂p_out_k · Θ_out_kt (the text's equation 2).
        double[] dJdzHidden = [(dJdp[0] * output[0, 0]) + (dJdp[1] * output[1, 0]), (dJdp[0] * output[0, 1]) + (dJdp[1] * output[1, 1])];

        // Weight gradient ∂J/∂Θ_out_kt = ∂J/∂p_out_k · z_hid_t (equation 3), then Θ ← Θ − α·∂J/∂Θ at α = 0.1.
        double[] weights = [output[0, 0], output[0, 1], output[1, 0], output[1, 1]];
        double[] weightGradient = [dJdp[0] * zHidden[0], dJdp[0] * zHidden[1], dJdp[1] * zHidden[0], dJdp[1] * zHidden[1]];
        Linear.Axpy(-0.1, weightGradient, weights);

        Assert.Equal(0.61, pHidden[0], 12);
        Assert.Equal(-0.64, pHidden[1], 12);
        Assert.Equal([0.61, 0.0], zHidden);
        Assert.Equal(-0.854, pOut[0], 12);
        Assert.Equal(-0.4941, pOut[1], 12);
        Assert.Equal(0.29859, zOut[0], 5);
        Assert.Equal(0.37893, zOut[1], 5);
        Assert.Equal(0.59719, dJdz[0], 5);
        Assert.Equal(-1.24214, dJdz[1], 5);
        Assert.Equal(0.06168, dJdzHidden[0], 5);
        Assert.Equal(0.076294, weightGradient[0], 6);
        Assert.Equal(-1.407629, weights[0], 6);
        Assert.Equal((zOut[0] * zOut[0]) + ((zOut[1] - 1) * (zOut[1] - 1)), cost, 15);

        // The printed table, at its two decimals: −0.85, −0.49, 0.30, 0.38, 0.60, −1.24, 0.06.
        Assert.Equal([-0.85, -0.49], pOut.Select(v => Math.Round(v, 2)));
        Assert.Equal([0.30, 0.38], zOut.Select(v => Math.Round(v, 2)));
        Assert.Equal([0.60, -1.24], dJdz.Select(v => Math.Round(v, 2)));
        Assert.Equal(0.06, Math.Round(dJdzHidden[0], 2));
    }

    [Fact]
    public void Step_by_step_from_the_texts_rounded_intermediates_gives_its_printed_0_077_and_minus_1_4077()
    {
        // ∂J/∂Θ_out11 = 0.60 · σ′(−0.85) · 0.61, from the text's rounded upstream 0.60 and preactivation −0.85.
        double[] upstream = new double[1];
        Losses.SquaredErrorSum<double>([0.30], [0], upstream);
        Assert.Equal(0.60, upstream[0], 15);
        double[] delta = new double[1];
        Activations.SigmoidBackward<double>([-0.85], upstream, delta);
        double gradient = delta[0] * 0.61;
        Assert.Equal(0.0768, gradient, 4);
        double printed = Math.Round(gradient, 3);
        Assert.Equal(0.077, printed);

        double[] weight = [-1.4];
        Linear.Axpy(-0.1, [printed], weight);
        Assert.Equal(-1.4077, weight[0], 12);
    }

    private static double[] MatVec(double[,] matrix, double[] vector)
    {
        double[] result = new double[matrix.GetLength(0)];
        for (int i = 0; i < result.Length; i++)
        {
            for (int j = 0; j < vector.Length; j++)
            {
                result[i] += matrix[i, j] * vector[j];
            }
        }

        return result;
    }
}
