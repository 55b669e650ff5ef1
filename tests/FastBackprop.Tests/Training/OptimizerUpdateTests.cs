using FastBackprop.Tests.Support;
using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

/// <summary>
/// <c>Mlp.ApplyUpdate</c>, one vectorized pass per parameter range, against the scalar rules applied element by element
/// to the whole θ: weights decayed, biases not, bit for bit on this run's path.
/// </summary>
public class OptimizerUpdateTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.0)]
    [InlineData(OptimizerKind.Sgd, 0.1)]
    [InlineData(OptimizerKind.Momentum, 0.0)]
    [InlineData(OptimizerKind.Momentum, 0.1)]
    [InlineData(OptimizerKind.Adam, 0.0)]
    [InlineData(OptimizerKind.Adam, 0.1)]
    public void Three_updates_equal_the_scalar_rules_with_only_the_weights_decayed(OptimizerKind kind, double weightDecay)
    {
        Same<float>(kind, weightDecay);
        Same<double>(kind, weightDecay);
    }

    private static void Same<T>(OptimizerKind kind, double weightDecay)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // A bias-less hidden layer of odd width, so weight and bias ranges start and end inside vectors.
        var architecture = new MlpArchitecture(
            64, [new DenseLayer(37, Activation.Tanh, HasBias: false), new DenseLayer(10, Activation.Identity)], LossKind.SoftmaxCrossEntropy);
        var settings = new OptimizerSettings(kind, 0.02);
        using var network = new Mlp<T>(architecture, settings, 16, 4);
        Dataset<T> data = Networks.Blobs<T>(16, 5);
        bool[] isWeight = new bool[network.ParameterCount];
        for (int l = 0; l < architecture.Layers.Count; l++)
        {
            Assert.True(network.Parameters.Overlaps(network.Weights(l), out int start));
            isWeight.AsSpan(start, network.Weights(l).Length).Fill(true);
        }

        const double Rate = 0.05;
        T[] theta = network.Parameters.ToArray();
        T[] first = new T[network.ParameterCount];
        T[] second = new T[network.ParameterCount];
        for (int step = 1; step <= 3; step++)
        {
            network.ComputeGradients(data.Features, data.Labels, 16);
            T[] g = network.Gradients.ToArray();
            T shrink = T.CreateTruncating(1 - (Rate * weightDecay));
            T alpha = T.CreateTruncating(Rate);
            for (int i = 0; i < theta.Length; i++)
            {
                T decay = weightDecay > 0 && isWeight[i] ? shrink : T.One;
                theta[i] = kind switch
                {
                    OptimizerKind.Sgd => UpdateReference<T>.Sgd(alpha, decay, g[i], theta[i]),
                    OptimizerKind.Momentum => UpdateReference<T>.Momentum(alpha, T.CreateTruncating(settings.Momentum), decay, g[i], theta[i], ref first[i]),
                    _ => UpdateReference<T>.Adam(Rate, settings.Beta1, settings.Beta2, settings.Epsilon, step, decay, g[i], theta[i], ref first[i], ref second[i]),
                };
            }

            network.ApplyUpdate(Rate, weightDecay);
            for (int i = 0; i < theta.Length; i++)
            {
                Assert.True(UpdateReference<T>.Same(theta[i], network.Parameters[i]), $"{typeof(T).Name} {kind} step {step} θ[{i}]: {network.Parameters[i]}, expected {theta[i]}");
            }
        }
    }
}
