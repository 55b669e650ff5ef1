using FastBackprop.Training;

namespace FastBackprop.Tests;

/// <summary>The README's examples, verbatim where they are code, so the README stays true.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Sigmoid_layer_example_gives_a_nonzero_derivative_at_50()
    {
        float[] x = [-50f, -1f, 0f, 1f, 50f];
        float[] y = new float[x.Length];
        Activations.Sigmoid<float>(x, y);

        float[] dy = [1f, 1f, 1f, 1f, 1f];
        float[] dx = new float[x.Length];
        Activations.SigmoidBackward<float>(x, dy, dx);

        Assert.Equal(1f, y[4]);
        Assert.Equal(1.9287498e-22, dx[4], 1e-28);
    }

    [Fact]
    public void Dense_layer_example_matches_plain_loops()
    {
        const int batch = 3, inputs = 4, outputs = 2;
        float[] x = Support.Inputs.Uniform<float>(batch * inputs, -1, 1, 1);
        float[] w = Support.Inputs.Uniform<float>(inputs * outputs, -1, 1, 2);
        float[] b = [0.5f, -0.25f];
        float[] dY = Support.Inputs.Uniform<float>(batch * outputs, -1, 1, 3);
        float[] y = new float[batch * outputs], dX = new float[batch * inputs], dW = new float[inputs * outputs], db = new float[outputs];

        Gemm.Multiply<float>(MatrixOp.None, MatrixOp.None, batch, outputs, inputs, 1f, x, inputs, w, outputs, 0f, y, outputs);
        Linear.AddBias<float>(b, batch, outputs, y);
        Gemm.Multiply<float>(MatrixOp.None, MatrixOp.Transpose, batch, inputs, outputs, 1f, dY, outputs, w, outputs, 0f, dX, inputs);
        Gemm.Multiply<float>(MatrixOp.Transpose, MatrixOp.None, inputs, outputs, batch, 1f, x, inputs, dY, outputs, 0f, dW, outputs);
        Linear.BiasGradient<float>(dY, batch, outputs, db);

        for (int r = 0; r < batch; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double expected = b[o];
                for (int i = 0; i < inputs; i++)
                {
                    expected += (double)x[(r * inputs) + i] * w[(i * outputs) + o];
                }

                Assert.Equal(expected, y[(r * outputs) + o], 1e-5);
            }

            for (int i = 0; i < inputs; i++)
            {
                double expected = 0;
                for (int o = 0; o < outputs; o++)
                {
                    expected += (double)dY[(r * outputs) + o] * w[(i * outputs) + o];
                }

                Assert.Equal(expected, dX[(r * inputs) + i], 1e-5);
            }
        }

        for (int i = 0; i < inputs; i++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double expected = 0;
                for (int r = 0; r < batch; r++)
                {
                    expected += (double)x[(r * inputs) + i] * dY[(r * outputs) + o];
                }

                Assert.Equal(expected, dW[(i * outputs) + o], 1e-5);
            }
        }

        for (int o = 0; o < outputs; o++)
        {
            Assert.Equal(dY[o] + dY[outputs + o] + (double)dY[(2 * outputs) + o], db[o], 1e-5);
        }
    }

    [Fact]
    public void Softmax_cross_entropy_example_gives_softmax_minus_onehot_over_n()
    {
        float[] logits = [2f, 1f, 0.1f, 0.5f, 2.5f, -1f];
        int[] labels = [0, 1];
        float[] gradient = new float[logits.Length];
        float loss = Losses.SoftmaxCrossEntropy<float>(logits, labels, rows: 2, cols: 3, gradient);

        double expectedLoss = 0;
        for (int r = 0; r < 2; r++)
        {
            double sum = 0;
            for (int c = 0; c < 3; c++)
            {
                sum += Math.Exp(logits[(r * 3) + c]);
            }

            for (int c = 0; c < 3; c++)
            {
                double p = Math.Exp(logits[(r * 3) + c]) / sum;
                Assert.Equal((p - (c == labels[r] ? 1 : 0)) / 2, gradient[(r * 3) + c], 1e-6);
            }

            expectedLoss -= Math.Log(Math.Exp(logits[(r * 3) + labels[r]]) / sum) / 2;
        }

        Assert.Equal(expectedLoss, loss, 1e-6);
    }

    [Fact]
    public void Training_example_learns_and_saves_a_checkpoint()
    {
        var random = new Random(7);
        float[] features = new float[200 * 64];
        int[] classes = new int[200];
        for (int r = 0; r < 200; r++)
        {
            classes[r] = r % 10;
            for (int f = 0; f < 64; f++)
            {
                features[(r * 64) + f] = (f % 10 == classes[r] ? 1f : 0f) + (0.1f * (float)random.NextDouble());
            }
        }

        var data = new Dataset<float>(features, classes, 64, [.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var (train, testSet) = data.Split(0.2, 1);

        var architecture = new MlpArchitecture(64, [new DenseLayer(128, Activation.Relu), new DenseLayer(10, Activation.Identity)],
            LossKind.SoftmaxCrossEntropy);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(OptimizerKind.Adam, LearningRate: 0.001),
            maxBatch: 32, seed: 1);
        using var trainer = new Trainer<float>(network, batchSize: 32);
        EpochReport report = default!;
        for (int epoch = 0; epoch < 20; epoch++)
        {
            report = trainer.TrainEpoch(train);
        }

        Evaluation test = network.Evaluate(testSet);
        string path = Path.Combine(Path.GetTempPath(), $"readme-{Guid.NewGuid():N}.fbp");
        try
        {
            Checkpoint.Save(network, path);
            using var loaded = Checkpoint.Load<float>(path, maxBatch: 32);
            Assert.Equal(network.Parameters.ToArray(), loaded.Parameters.ToArray());
        }
        finally
        {
            File.Delete(path);
        }

        Assert.True(report.Accuracy > 0.9, $"train accuracy {report.Accuracy}");
        Assert.True(test.Accuracy > 0.9, $"test accuracy {test.Accuracy}");
    }
}
