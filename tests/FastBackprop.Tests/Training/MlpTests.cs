using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public class MlpTests
{
    /// <summary>Seed 002 from the weights, in exact arithmetic (DESIGN.md): p_out1 = 0.61·(−1.4), z = σ(p), ∂J/∂Θ_out11 = 2z·z(1−z)·0.61.</summary>
    private static (double Gradient, double Updated) Seed002Reference()
    {
        double p = 0.61 * -1.4;
        double z = 1 / (1 + Math.Exp(-p));
        double gradient = 2 * (z - 0) * z * (1 - z) * 0.61;
        return (gradient, -1.4 - 0.1 * gradient);
    }

    [Fact]
    public void Seed002_one_SGD_step_gives_theta_out11_minus_1_40763_in_double()
    {
        using Mlp<double> network = Networks.Seed002<double>();
        network.TrainStep([1.0, 1.0], [0.0, 1.0], 1);
        (double gradient, double updated) = Seed002Reference();
        Assert.Equal(0.076294, gradient, 6);
        Assert.Equal(-1.40763, Math.Round(network.Weights(1)[0], 5));
        Assert.Equal(updated, network.Weights(1)[0], 1e-14);
    }

    [Fact]
    public void Seed002_one_SGD_step_in_float_matches_within_float_rounding()
    {
        using Mlp<float> network = Networks.Seed002<float>();
        network.TrainStep([1f, 1f], [0f, 1f], 1);
        // Float carries about 7 digits; measured error ≈ 1e-7, tolerance 1e-6.
        Assert.Equal(Seed002Reference().Updated, network.Weights(1)[0], 1e-6);
    }

    [Fact]
    public void Seed002_gradients_match_the_printed_table()
    {
        using Mlp<double> network = Networks.Seed002<double>();
        double loss = network.ComputeGradients([1.0, 1.0], [0.0, 1.0], 1);
        double z1 = 1 / (1 + Math.Exp(0.854));
        double z2 = 1 / (1 + Math.Exp(0.61 * 0.81));
        Assert.Equal(z1 * z1 + (z2 - 1) * (z2 - 1), loss, 1e-14);
        Assert.Equal(Seed002Reference().Gradient, network.WeightGradient(1)[0], 1e-14);
        // Hidden unit 2 is 0 (ReLU′(−0.64) = 0): nothing reaches the weights into it or out of it.
        Assert.Equal(0.0, network.WeightGradient(1)[2]);
        Assert.Equal(0.0, network.WeightGradient(0)[1]);
        // ∂J/∂Θ_hid11 = hidden error gradient (0.06168, DESIGN.md) · ReLU′(0.61) · x₁.
        Assert.Equal(0.06168, network.WeightGradient(0)[0], 5);
    }

    [Fact]
    public void Seed003_network_trains_through_the_same_code()
    {
        using var network = new Mlp<float>(Networks.Seed003, new OptimizerSettings(OptimizerKind.Adam, 0.01), maxBatch: 8, seed: 3);
        // Two classes split by the curve x₂ = ½·sin(3x₁), which no line separates.
        var random = new Random(1);
        float[] x = new float[64 * 2];
        int[] labels = new int[64];
        for (int r = 0; r < 64; r++)
        {
            x[2 * r] = (float)(random.NextDouble() * 2 - 1);
            x[2 * r + 1] = (float)(random.NextDouble() * 2 - 1);
            labels[r] = x[2 * r + 1] > 0.5 * Math.Sin(3 * x[2 * r]) ? 1 : 0;
        }

        var data = new Dataset<float>(x, labels, 2, ["below", "above"]);
        using var trainer = new Trainer<float>(network, 8);
        double first = trainer.TrainEpoch(data).Loss;
        EpochReport last = trainer.TrainEpoch(data);
        for (int e = 0; e < 40; e++)
        {
            last = trainer.TrainEpoch(data);
        }

        double accuracy = network.Evaluate(data).Accuracy;
        Assert.True(last.Loss < 0.7 * first && accuracy > 0.85, $"loss {first} → {last.Loss}, accuracy {accuracy}");
    }

    public static IEnumerable<object[]> Heads() =>
        from loss in LossInfo.All
        from hidden in ActivationInfo.All
        select new object[] { loss.Kind, hidden.Kind };

    /// <summary>Every head and every activation of the registries: ∂J/∂θ against central differences of J in double.</summary>
    [Theory]
    [MemberData(nameof(Heads))]
    public void Gradients_match_central_differences(LossKind loss, ActivationKind hidden)
    {
        Activation last = LossInfo.Of(loss).TakesLogits ? Activation.Identity : Activation.Tanh;
        var architecture = new MlpArchitecture(
            3, [new DenseLayer(5, ActivationInfo.Of(hidden).Default), new DenseLayer(4, Activation.Sigmoid), new DenseLayer(3, last)], loss);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(), maxBatch: 4, seed: 11);
        var random = new Random(5);
        double[] x = [.. Enumerable.Range(0, 12).Select(_ => random.NextDouble() * 2 - 1)];
        double[] targets = new double[12];
        for (int r = 0; r < 4; r++)
        {
            targets[r * 3 + r % 3] = 1;
        }

        network.ComputeGradients(x, targets, 4);
        double[] analytic = network.Gradients.ToArray();
        const double h = 1e-6;
        for (int i = 0; i < network.ParameterCount; i++)
        {
            double saved = network.Parameters[i];
            network.Parameters[i] = saved + h;
            double plus = network.ComputeGradients(x, targets, 4);
            network.Parameters[i] = saved - h;
            double minus = network.ComputeGradients(x, targets, 4);
            network.Parameters[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            // Central differences with h = 1e-6 in double: truncation O(h²) and rounding ≈ 1e-16/1e-6 ≈ 1e-10;
            // measured worst ≈ 1e-9, tolerance 1e-7 absolute plus 1e-6 relative.
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-7 + 1e-6 * Math.Abs(numeric), $"θ[{i}]: numeric {numeric}, analytic {analytic[i]}");
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Adam)]
    public void Every_optimizer_learns_the_blobs(OptimizerKind kind)
    {
        Dataset<float> data = Networks.Blobs<float>(512, 1);
        double rate = kind == OptimizerKind.Adam ? 0.003 : 0.1;
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(kind, rate), maxBatch: 32, seed: 2);
        using var trainer = new Trainer<float>(network, 32);
        double before = network.Evaluate(data).Accuracy;
        for (int e = 0; e < 15; e++)
        {
            trainer.TrainEpoch(data);
        }

        double after = network.Evaluate(data).Accuracy;
        Assert.True(after > 0.8 && after > before + 0.3, $"{kind}: accuracy {before} → {after}");
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_the_learning_rate_against_its_gradient_sign()
    {
        // After one step m̂ = g and v̂ = g², so Δθ = −α·g/(|g| + ε) ≈ −α·sign(g).
        using Mlp<double> network = Networks.Seed002<double>();
        using var adam = new Mlp<double>(network.Architecture, new OptimizerSettings(OptimizerKind.Adam, 0.01), 1, 0);
        network.Parameters.CopyTo(adam.Parameters);
        double[] before = adam.Parameters.ToArray();
        adam.TrainStep([1.0, 1.0], [0.0, 1.0], 1);
        for (int i = 0; i < adam.ParameterCount; i++)
        {
            double g = adam.Gradients[i];
            double expected = g == 0 ? 0 : -0.01 * g / (Math.Abs(g) + 1e-8);
            Assert.Equal(expected, adam.Parameters[i] - before[i], 1e-12);
        }
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights_and_threads_do_not_change_them()
    {
        Dataset<float> data = Networks.Blobs<float>(300, 4);
        float[] Train(ulong seed, int threads)
        {
            using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Adam, 0.003), 32, seed, threads: threads);
            using var trainer = new Trainer<float>(network, 32);
            for (int e = 0; e < 3; e++)
            {
                trainer.TrainEpoch(data);
            }

            return network.Parameters.ToArray();
        }

        float[] a = Train(7, 1);
        Assert.Equal(a, Train(7, 1));
        Assert.Equal(a, Train(7, 2));
        Assert.NotEqual(a, Train(8, 1));
    }

    [Fact]
    public void Predict_from_many_threads_equals_serial_predict()
    {
        Dataset<float> data = Networks.Blobs<float>(700, 6);
        using var network = new Mlp<float>(Networks.Classifier(ActivationKind.Tanh), new OptimizerSettings(OptimizerKind.Adam, 0.003), 64, 1);
        using (var trainer = new Trainer<float>(network, 64))
        {
            trainer.TrainEpoch(data);
        }

        float[] serial = new float[data.Rows * 10];
        network.Predict(data.Features, data.Rows, serial);
        Assert.All(Enumerable.Range(0, data.Rows), r => Assert.Equal(1f, serial.AsSpan(r * 10, 10).ToArray().Sum(), 1e-5f));
        float[][] parallel = new float[16][];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            parallel[i] = new float[data.Rows * 10];
            for (int repeat = 0; repeat < 5; repeat++)
            {
                network.Predict(data.Features, data.Rows, parallel[i]);
            }
        });
        Assert.All(parallel, result => Assert.Equal(serial, result));
    }

    [Fact]
    public void Predict_row_by_row_equals_predict_in_one_call()
    {
        Dataset<double> data = Networks.Blobs<double>(300, 2);
        using var network = new Mlp<double>(Networks.Classifier(ActivationKind.Relu, LossKind.SigmoidCrossEntropy), new OptimizerSettings(), 16, 5);
        double[] all = new double[data.Rows * 10];
        network.Predict(data.Features, data.Rows, all);
        double[] one = new double[10];
        for (int r = 0; r < data.Rows; r++)
        {
            network.Predict(data.Row(r), 1, one);
            Assert.Equal(all.AsSpan(r * 10, 10).ToArray(), one);
        }
    }

    [Fact]
    public void Diagnostics_report_saturated_sigmoids_and_dead_relus()
    {
        var architecture = new MlpArchitecture(
            2,
            [new DenseLayer(3, Activation.Relu), new DenseLayer(2, Activation.Sigmoid)],
            LossKind.SquaredErrorSum);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(OptimizerKind.Sgd, 1e-9), 4, 0) { CollectsDiagnostics = true };
        // Unit 0 live, units 1 and 2 dead for positive inputs; output 0 saturated (p = 50, seed 000), output 1 not.
        Networks.Set(network.Weights(0), 1, -1, -2, 1, -1, -2);
        Networks.Set(network.Weights(1), 50, 0, 0, 0, 0, 0);
        Networks.Set(network.Bias(1), 0, 0.1);
        network.TrainStep([1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], 2);
        LayerDiagnostics[] diagnostics = network.TakeDiagnostics();
        Assert.Equal(2.0 / 3, diagnostics[0].DeadFraction, 12);
        Assert.True(double.IsNaN(diagnostics[0].SaturatedFraction));
        Assert.Equal(0.5, diagnostics[1].SaturatedFraction, 12);
        Assert.True(diagnostics[1].GradientNorm > 0);
        Assert.Equal(1, diagnostics[1].Steps);
        Assert.Equal(0, network.TakeDiagnostics()[1].Steps);
    }

    /// <summary>
    /// A tanh layer keeps f′ from its forward pass, which then stores P only for the diagnostics: they must see the
    /// bias. Zero weights and b = (50, 0) make unit 0 saturated by its bias alone.
    /// </summary>
    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    public void Diagnostics_of_a_layer_that_keeps_its_slope_see_the_bias(OptimizerKind optimizer)
    {
        var architecture = new MlpArchitecture(2, [new DenseLayer(2, Activation.Tanh), new DenseLayer(2, Activation.Identity)], LossKind.SoftmaxCrossEntropy);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(optimizer, 1e-9), 4, 0) { CollectsDiagnostics = true };
        Networks.Set(network.Weights(0), 0, 0, 0, 0);
        Networks.Set(network.Bias(0), 50, 0);
        network.TrainStep([1f, 2f, -1f, 0.5f], [0, 1], 2);
        Assert.Equal(0.5, network.TakeDiagnostics()[0].SaturatedFraction, 12);
    }

    [Fact]
    public void Bad_batch_arguments_throw_naming_the_parameter()
    {
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 4, 0);
        float[] before = network.Parameters.ToArray();
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => network.TrainStep(new float[5 * 64], new int[5], 5)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => network.TrainStep(new float[63], new int[1], 1)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => network.TrainStep(new float[64], [10], 1)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => network.TrainStep(new float[64], new float[9], 1)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => network.Predict(new float[64], 1, new float[9])).ParamName);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void Cross_entropy_heads_require_an_identity_last_layer()
    {
        var exception = Assert.Throws<ArgumentException>(() => new MlpArchitecture(
            2, [new DenseLayer(2, Activation.Sigmoid)], LossKind.SoftmaxCrossEntropy));
        Assert.Equal("layers", exception.ParamName);
    }

    /// <summary>
    /// rows × inputs beyond int.MaxValue on a 65536-input network: an ArgumentException naming rows (or batchSize)
    /// with the sizes, not an OverflowException, and not a product wrapped to 0 that only GEMM notices.
    /// </summary>
    [Fact]
    public void Size_products_that_overflow_throw_ArgumentException_naming_the_callers_parameter()
    {
        var architecture = new MlpArchitecture(65536, [new DenseLayer(1, Activation.Identity)], LossKind.MeanSquaredError);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(), maxBatch: 65536, seed: 0);
        var predict = Assert.Throws<ArgumentException>(() => network.Predict([], 65536, new float[65536]));
        Assert.Equal("rows", predict.ParamName);
        Assert.Contains("65536 × 65536 = 4294967296", predict.Message, StringComparison.Ordinal);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => network.TrainStep([], new float[65536], 65536)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => network.ComputeGradients([], new int[65536], 65536)).ParamName);
        var trainer = Assert.Throws<ArgumentException>(() => new Trainer<float>(network, 65536));
        Assert.Equal("batchSize", trainer.ParamName);
        Assert.Contains("65536 × 65536 = 4294967296", trainer.Message, StringComparison.Ordinal);
        Assert.Equal(0, network.Step);
    }

    [Fact]
    public void A_network_too_large_for_one_array_is_rejected_naming_the_architecture()
    {
        var architecture = new MlpArchitecture(65536, [new DenseLayer(65536, Activation.Identity)], LossKind.MeanSquaredError);
        var exception = Assert.Throws<ArgumentException>(() => new Mlp<float>(architecture, new OptimizerSettings(), 1, 0));
        Assert.Equal("architecture", exception.ParamName);
        Assert.Contains("4295032832", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_and_epoch_reject_negative_values()
    {
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 4, 0);
        Assert.Equal("Step", Assert.Throws<ArgumentOutOfRangeException>(() => network.Step = -1).ParamName);
        Assert.Equal("Epoch", Assert.Throws<ArgumentOutOfRangeException>(() => network.Epoch = -5).ParamName);
        Assert.Equal(0, network.Step);
        Assert.Equal(0, network.Epoch);
        network.Step = long.MaxValue;
        Assert.Throws<InvalidOperationException>(network.ApplyUpdate);
        Assert.Equal(long.MaxValue, network.Step);
    }

    /// <summary>After Dispose the pooled arrays belong to other renters: every member that reaches them, or the network's state, throws.</summary>
    [Fact]
    public void Every_member_throws_ObjectDisposedException_after_dispose()
    {
        Dataset<float> data = Networks.Blobs<float>(8, 1);
        var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Adam), 8, 0);
        network.Dispose();
        network.Dispose();
        Action[] members =
        [
            () => _ = network.Parameters,
            () => _ = network.Gradients,
            () => _ = network.OptimizerState(0),
            () => _ = network.Weights(0),
            () => _ = network.Bias(0),
            () => _ = network.WeightGradient(0),
            () => _ = network.BiasGradient(0),
            () => _ = network.LastOutput,
            () => _ = network.Step,
            () => network.Step = 1,
            () => _ = network.Epoch,
            () => network.Epoch = 1,
            () => _ = network.CollectsDiagnostics,
            () => network.CollectsDiagnostics = true,
            () => network.Initialize(1),
            () => network.Predict(data.Features, 8, new float[80]),
            () => network.Evaluate(data),
            () => network.ComputeGradients(data.Features, data.Labels, 8),
            () => network.ComputeGradients(data.Features, new float[80], 8),
            () => network.TrainStep(data.Features, data.Labels, 8),
            () => network.TrainStep(data.Features, new float[80], 8),
            network.ApplyUpdate,
            () => network.TakeDiagnostics(),
            () => _ = new Trainer<float>(network, 8),
        ];
        Assert.All(members, member => Assert.Throws<ObjectDisposedException>(member));
    }

    [Fact]
    public void Layer_and_state_indexes_out_of_range_throw_ArgumentOutOfRangeException_naming_the_parameter()
    {
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Momentum), 4, 0);
        foreach (int layer in new[] { -1, 2, int.MinValue, int.MaxValue })
        {
            Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => network.Weights(layer)).ParamName);
            Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => network.Bias(layer)).ParamName);
            Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => network.WeightGradient(layer)).ParamName);
            Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => network.BiasGradient(layer)).ParamName);
            Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => network.Architecture.InputsOf(layer)).ParamName);
        }

        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => network.OptimizerState(1)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => network.OptimizerState(-1)).ParamName);
    }
}
