using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

/// <summary>
/// Plain SGD folded into the backward pass (<c>W ← d·W − η·Xᵀ·∂J/∂P</c> in GEMM's epilogue) must move the weights
/// exactly as ComputeGradients then ApplyUpdate do wherever k = rows fits one KC block: the epilogue's multiply-add
/// is SGD's, and ∂J/∂Z_{l−1} reads the weights before the update.
/// </summary>
public sealed class FusedSgdTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100)]
    public void Train_step_with_sgd_has_the_bits_of_compute_gradients_then_apply_update(int rows)
    {
        Check<float>(rows, LossKind.SoftmaxCrossEntropy, ActivationKind.Tanh);
        Check<double>(rows, LossKind.SoftmaxCrossEntropy, ActivationKind.Relu);
        Check<float>(rows, LossKind.MeanSquaredError, ActivationKind.Sigmoid);
    }

    [Fact]
    public void A_trainer_epoch_with_weight_decay_fused_equals_the_unfused_epoch()
    {
        Dataset<float> data = Networks.Blobs<float>(300, 6);
        float[] Train(bool fused)
        {
            using var network = new Mlp<float>(Networks.Classifier(ActivationKind.Tanh), new OptimizerSettings(OptimizerKind.Sgd, 0.05), 32, seed: 9);
            using var trainer = new Trainer<float>(network, 32);

            // The diagnostics take ‖∂J/∂W‖, so the trainer fuses only with them off (it turns them on).
            network.CollectsDiagnostics = false;

            // A BeforeUpdate callback needs the stored gradient, so it keeps the trainer on the unfused path.
            var options = new TrainingOptions { WeightDecay = 0.01, BeforeUpdate = fused ? null : _ => { } };
            for (int epoch = 0; epoch < 3; epoch++)
            {
                trainer.TrainEpoch(data, options);
            }

            Assert.Equal(3 * 10, network.Step);
            return network.Parameters.ToArray();
        }

        Assert.Equal(Train(fused: false), Train(fused: true));
    }

    [Fact]
    public void A_fused_step_at_the_last_countable_step_throws_and_changes_nothing()
    {
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Sgd, 0.1), 4, seed: 3);
        network.Step = long.MaxValue;
        float[] before = network.Parameters.ToArray();
        float[] x = new float[4 * network.Architecture.Inputs];

        Assert.Throws<InvalidOperationException>(() => network.TrainStep(x, [0, 1, 2, 0], 4));
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void A_fused_step_names_the_labels_or_targets_that_do_not_fit_and_changes_nothing()
    {
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Sgd, 0.1), 4, seed: 3);
        float[] before = network.Parameters.ToArray();
        float[] x = new float[4 * network.Architecture.Inputs];

        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => network.TrainStep(x, ReadOnlySpan<int>.Empty, 4)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => network.TrainStep(x, new float[3], 4)).ParamName);
        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Equal(0, network.Step);
    }

    private static void Check<T>(int rows, LossKind loss, ActivationKind hidden)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        MlpArchitecture architecture = Networks.Classifier(hidden, loss);
        using var fused = new Mlp<T>(architecture, new OptimizerSettings(OptimizerKind.Sgd, 0.1), rows, seed: 5);
        using var reference = new Mlp<T>(architecture, new OptimizerSettings(OptimizerKind.Sgd, 0.1), rows, seed: 5);
        Dataset<T> data = Networks.Blobs<T>(rows, 11);
        ReadOnlySpan<T> x = data.Features[..(rows * architecture.Inputs)];
        ReadOnlySpan<int> labels = data.Labels[..rows];
        for (int step = 0; step < 3; step++)
        {
            T fusedLoss = fused.TrainStep(x, labels, rows);
            T referenceLoss = reference.ComputeGradients(x, labels, rows);
            reference.ApplyUpdate();
            Assert.Equal(referenceLoss, fusedLoss);
        }

        Assert.Equal(reference.Step, fused.Step);
        Assert.Equal(reference.Parameters.ToArray(), fused.Parameters.ToArray());
    }
}
