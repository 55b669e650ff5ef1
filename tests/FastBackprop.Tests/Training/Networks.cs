using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

/// <summary>Small networks and synthetic data sets shared by the trainer tests.</summary>
public static class Networks
{
    /// <summary>
    /// Seed 002's 2-2-2 network (ReLU hidden, sigmoid out, J = Σ(z−y)², no bias) with the weights DESIGN.md
    /// derives: hidden rows summing to 0.61 and −0.64 for x = (1, 1), Θ_out11 = −1.4, Θ_out21 = −0.81; the second
    /// hidden unit is 0, so the weights leaving it (0.5) do not matter. W[i × 2 + j] is the weight from i to j.
    /// </summary>
    public static Mlp<T> Seed002<T>(double learningRate = 0.1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var architecture = new MlpArchitecture(
            2,
            [new DenseLayer(2, Activation.Relu, HasBias: false), new DenseLayer(2, Activation.Sigmoid, HasBias: false)],
            LossKind.SquaredErrorSum);
        var network = new Mlp<T>(architecture, new OptimizerSettings(OptimizerKind.Sgd, learningRate), maxBatch: 1, seed: 0);
        Set(network.Weights(0), 0.30, -0.30, 0.31, -0.34);
        Set(network.Weights(1), -1.4, -0.81, 0.5, 0.5);
        return network;
    }

    /// <summary>Seed 003's 2-500-2 network: tanh hidden, softmax + cross-entropy (mean over the batch), with biases.</summary>
    public static MlpArchitecture Seed003 { get; } = new(
        2,
        [new DenseLayer(500, Activation.Tanh), new DenseLayer(2, Activation.Identity)],
        LossKind.SoftmaxCrossEntropy);

    /// <summary>A 64-input, 10-class problem whose label is the index of the largest of the first ten features.</summary>
    public static Dataset<T> Blobs<T>(int rows, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int features = 64;
        var random = new Random(seed);
        var x = new T[rows * features];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int c = 0; c < features; c++)
            {
                x[r * features + c] = T.CreateTruncating(random.NextDouble() * 2 - 1);
                if (c < 10 && x[r * features + c] > x[r * features + best])
                {
                    best = c;
                }
            }

            labels[r] = best;
        }

        return new Dataset<T>(x, labels, features, [.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    /// <summary>A 64-128-10 classifier with the given hidden activation and head.</summary>
    public static MlpArchitecture Classifier(ActivationKind hidden = ActivationKind.Relu, LossKind loss = LossKind.SoftmaxCrossEntropy)
    {
        ActivationKind last = loss is LossKind.SoftmaxCrossEntropy or LossKind.SigmoidCrossEntropy ? ActivationKind.Identity : ActivationKind.Sigmoid;
        return new MlpArchitecture(64, [new DenseLayer(128, new Activation(hidden, 0)), new DenseLayer(10, new Activation(last, 0))], loss);
    }

    public static void Set<T>(Span<T> destination, params double[] values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = T.CreateTruncating(values[i]);
        }
    }
}
