using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Seeds;

/// <summary>
/// Seed 003: x [N × 2] → z₁ = x·W₁ + b₁ [N × 500] → a₁ = tanh(z₁) → z₂ = a₁·W₂ + b₂ [N × 2] → ŷ = softmax(z₂),
/// L = −(1/N) Σₙ yₙ·log ŷₙ. The gradient at the logits is (ŷ − y)/N. tanh is Math.Tanh here (the tanh kernel lands
/// in another branch) and the products are plain loops (GEMM lands later).
/// </summary>
public class Seed003Tests
{
    private const int N = 4;
    private const int Hidden = 500;

    [Fact]
    public void Fused_softmax_cross_entropy_gradient_is_softmax_minus_target_over_N_and_agrees_with_the_chain_rule()
    {
        (double[] logits, double[] a1, int[] labels) = Forward();
        double[] oneHot = new double[N * 2];
        for (int n = 0; n < N; n++)
        {
            oneHot[(n * 2) + labels[n]] = 1;
        }

        double[] fused = new double[N * 2];
        double loss = Losses.SoftmaxCrossEntropy<double>(logits, labels, N, 2, fused);

        double[] probabilities = new double[N * 2];
        Activations.Softmax<double>(logits, N, 2, probabilities);
        for (int i = 0; i < fused.Length; i++)
        {
            Assert.Equal((probabilities[i] - oneHot[i]) / N, fused[i], 15);
        }

        Assert.Equal(-Enumerable.Range(0, N).Sum(n => Math.Log(probabilities[(n * 2) + labels[n]])) / N, loss, 14);

        // The staged chain of the question: dŷ = −y/(N·ŷ) (log-loss gradient), then the softmax Jacobian backward.
        double[] dProbabilities = probabilities.Select((p, i) => -oneHot[i] / (N * p)).ToArray();
        double[] chained = new double[N * 2];
        Activations.SoftmaxBackwardFromOutput<double>(probabilities, dProbabilities, N, 2, chained);
        Assert.Equal(fused, chained, (a, b) => Math.Abs(a - b) <= 1e-15);

        // And through log-softmax: l = log ŷ, dl = −y/N.
        double[] logProbabilities = new double[N * 2];
        Activations.LogSoftmax<double>(logits, N, 2, logProbabilities);
        double[] throughLog = new double[N * 2];
        Activations.LogSoftmaxBackwardFromOutput<double>(logProbabilities, oneHot.Select(t => -t / N).ToArray(), N, 2, throughLog);
        Assert.Equal(fused, throughLog, (a, b) => Math.Abs(a - b) <= 1e-15);

        // Probability targets (one-hot) give the same loss and gradient as labels.
        double[] withTargets = new double[N * 2];
        Assert.Equal(loss, Losses.SoftmaxCrossEntropy<double>(logits, oneHot, N, 2, withTargets), 14);
        Assert.Equal(fused, withTargets, (a, b) => Math.Abs(a - b) <= 1e-16);

        // dW₂ = a₁ᵀ·dz₂ and db₂ = Σₙ dz₂ agree with central differences of the loss.
        double[] db2 = new double[2];
        Linear.BiasGradient<double>(fused, N, 2, db2);
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(FiniteDifferenceOfBias(k), db2[k], 1e-9);
        }

        double dW2 = 0;
        for (int n = 0; n < N; n++)
        {
            dW2 += a1[(n * Hidden) + 7] * fused[(n * 2) + 1];
        }

        Assert.Equal(FiniteDifferenceOfWeight(7, 1), dW2, 1e-9);
    }

    private static (double[] Logits, double[] A1, int[] Labels) Forward(double[]? w2Override = null, double[]? b2Override = null)
    {
        double[] x = Inputs.Uniform<double>(N * 2, -1, 1, 31);
        double[] w1 = Inputs.Uniform<double>(2 * Hidden, -1, 1, 32);
        double[] b1 = Inputs.Uniform<double>(Hidden, -0.1, 0.1, 33);
        double[] w2 = w2Override ?? Inputs.Uniform<double>(Hidden * 2, -0.1, 0.1, 34);
        double[] b2 = b2Override ?? [0.05, -0.05];
        int[] labels = [0, 1, 1, 0];

        double[] z1 = MatMul(x, w1, N, 2, Hidden);
        Linear.AddBias<double>(b1, N, Hidden, z1);
        double[] a1 = z1.Select(Math.Tanh).ToArray();
        double[] z2 = MatMul(a1, w2, N, Hidden, 2);
        Linear.AddBias<double>(b2, N, 2, z2);
        return (z2, a1, labels);
    }

    private static double Loss(double[]? w2 = null, double[]? b2 = null)
    {
        (double[] logits, _, int[] labels) = Forward(w2, b2);
        return Losses.SoftmaxCrossEntropy<double>(logits, labels, N, 2, new double[N * 2]);
    }

    private static double FiniteDifferenceOfBias(int k)
    {
        const double h = 1e-6;
        double[] plus = [0.05, -0.05];
        double[] minus = [0.05, -0.05];
        plus[k] += h;
        minus[k] -= h;
        return (Loss(b2: plus) - Loss(b2: minus)) / (2 * h);
    }

    private static double FiniteDifferenceOfWeight(int row, int col)
    {
        const double h = 1e-6;
        double[] plus = Inputs.Uniform<double>(Hidden * 2, -0.1, 0.1, 34);
        double[] minus = (double[])plus.Clone();
        plus[(row * 2) + col] += h;
        minus[(row * 2) + col] -= h;
        return (Loss(w2: plus) - Loss(w2: minus)) / (2 * h);
    }

    private static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                for (int j = 0; j < n; j++)
                {
                    c[(i * n) + j] += a[(i * k) + p] * b[(p * n) + j];
                }
            }
        }

        return c;
    }
}
