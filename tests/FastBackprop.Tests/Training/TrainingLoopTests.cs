using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public class TrainingLoopTests
{
    /// <summary>2 → 1 identity with bias, ½Σ(y − z)²: w = (0.5, −0.25), b = 0.1, so at x = (1, 2) z = 0.1 and with y = 0 ∂J/∂(w, b) = (0.1, 0.2, 0.1).</summary>
    private static Mlp<double> Tiny(OptimizerKind kind = OptimizerKind.Sgd, double rate = 0.5)
    {
        var architecture = new MlpArchitecture(2, [new DenseLayer(1, Activation.Identity)], LossKind.HalfSquaredErrorSum);
        var network = new Mlp<double>(architecture, new OptimizerSettings(kind, rate), 4, 1);
        Networks.Set(network.Parameters, 0.5, -0.25, 0.1);
        return network;
    }

    private static Dataset<double> TinyRow() => new([1.0, 2.0], [0.0], 2, 1);

    /// <summary>Reports synchronously on the training thread (Progress{T} posts to the thread pool) and allocates nothing.</summary>
    private sealed class Recorder<TValue>(Action<TValue> onReport) : IProgress<TValue>
    {
        public void Report(TValue value) => onReport(value);
    }

    [Fact]
    public void Step_schedule_multiplies_by_the_factor_every_n_epochs()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Step(2, 0.5);
        Assert.Equal([0.1, 0.1, 0.05, 0.05, 0.025], Enumerable.Range(1, 5).Select(e => schedule.RateAt(99, e, 0.1)));
    }

    [Fact]
    public void Cosine_schedule_falls_from_the_base_rate_to_the_minimum_over_its_epochs_and_stays_there()
    {
        LearningRateSchedule schedule = LearningRateSchedule.Cosine(4, 0.01);
        Assert.Equal(0.1, schedule.RateAt(1, 1, 0.1), 15);
        Assert.Equal(0.01 + (0.09 * (1 + Math.Cos(Math.PI / 4)) / 2), schedule.RateAt(1, 2, 0.1), 15);
        Assert.Equal(0.055, schedule.RateAt(1, 3, 0.1), 15);
        Assert.Equal(0.01, schedule.RateAt(1, 5, 0.1), 15);
        Assert.Equal(0.01, schedule.RateAt(1, 50, 0.1), 15);
    }

    [Fact]
    public void Delegate_schedule_gets_the_update_number_and_epoch_from_one()
    {
        var seen = new List<(long, int)>();
        var schedule = LearningRateSchedule.FromDelegate((step, epoch) =>
        {
            seen.Add((step, epoch));
            return 0.01;
        });
        Dataset<float> data = Networks.Blobs<float>(20, 1);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        using var trainer = new Trainer<float>(network, 8);
        trainer.Fit(data, null, new TrainingOptions { Epochs = 2, Schedule = schedule });
        Assert.Equal([(1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (6, 2)], seen);
    }

    [Fact]
    public void Schedules_reject_parameters_outside_their_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(3, -1));
    }

    /// <summary>A schedule that returns a negative rate is stopped before that batch: nothing is applied.</summary>
    [Fact]
    public void A_negative_scheduled_rate_throws_before_the_batch()
    {
        using Mlp<double> network = Tiny();
        using var trainer = new Trainer<double>(network, 1);
        var options = new TrainingOptions { Schedule = LearningRateSchedule.FromDelegate((_, _) => -1) };
        Assert.Throws<InvalidOperationException>(() => trainer.TrainEpoch(TinyRow(), options));
        Assert.Equal(0, network.Step);
        Assert.Equal([0.5, -0.25, 0.1], network.Parameters.ToArray());
    }

    /// <summary>
    /// η = 0.5, λ = 0.1, g = (0.1, 0.2, 0.1): w ← (1 − ηλ)·w − η·g = (0.475 − 0.05, −0.2375 − 0.1); the bias is not
    /// decayed, b ← 0.1 − 0.05.
    /// </summary>
    [Fact]
    public void Sgd_step_with_decoupled_weight_decay_shrinks_the_weights_but_not_the_bias()
    {
        using Mlp<double> network = Tiny();
        using var trainer = new Trainer<double>(network, 1);
        trainer.TrainEpoch(TinyRow(), new TrainingOptions { WeightDecay = 0.1 });
        double[] theta = network.Parameters.ToArray();
        Assert.Equal(0.425, theta[0], 15);
        Assert.Equal(-0.3375, theta[1], 15);
        Assert.Equal(0.05, theta[2], 15);
        Assert.Equal(1, network.Step);
    }

    /// <summary>‖g‖₂ = √0.06 &gt; 0.1 = maxNorm: g is scaled by 0.1/√0.06 before the SGD step.</summary>
    [Fact]
    public void Sgd_step_with_clipping_scales_the_whole_gradient_to_the_largest_norm()
    {
        using Mlp<double> network = Tiny();
        using var trainer = new Trainer<double>(network, 1);
        trainer.TrainEpoch(TinyRow(), new TrainingOptions { MaxGradientNorm = 0.1 });
        double scale = 0.1 / Math.Sqrt(0.06);
        double[] theta = network.Parameters.ToArray();
        Assert.Equal(0.5 - (0.5 * 0.1 * scale), theta[0], 15);
        Assert.Equal(-0.25 - (0.5 * 0.2 * scale), theta[1], 15);
        Assert.Equal(0.1 - (0.5 * 0.1 * scale), theta[2], 15);
    }

    [Fact]
    public void Clipping_returns_the_norm_and_leaves_a_shorter_gradient_alone()
    {
        using Mlp<double> network = Tiny();
        network.ComputeGradients([1.0, 2.0], [0.0], 1);
        Assert.Equal(Math.Sqrt(0.06), network.ClipGradientNorm(1), 15);
        Assert.Equal([0.1, 0.2, 0.1], network.Gradients.ToArray().Select(g => Math.Round(g, 15)));
        Assert.Throws<ArgumentOutOfRangeException>(() => network.ClipGradientNorm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => network.ClipGradientNorm(double.NaN));
    }

    [Fact]
    public void ApplyUpdate_rejects_a_bad_rate_or_decay_before_changing_anything()
    {
        using Mlp<double> network = Tiny();
        network.ComputeGradients([1.0, 2.0], [0.0], 1);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => network.ApplyUpdate(double.NaN)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => network.ApplyUpdate(0.1, -1)).ParamName);
        Assert.Equal(0, network.Step);
        Assert.Equal([0.5, -0.25, 0.1], network.Parameters.ToArray());
    }

    /// <summary>The update uses the gradient as the app leaves it: zeroed, nothing moves; doubled, the step equals one at twice the rate, bit for bit.</summary>
    [Fact]
    public void Gradients_written_between_backward_and_update_change_the_update_exactly()
    {
        Dataset<float> data = Networks.Blobs<float>(16, 2);
        using var zeroed = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Sgd, 0.05), 16, 3);
        float[] before = zeroed.Parameters.ToArray();
        zeroed.ComputeGradients(data.Features, data.Labels, 16);
        zeroed.Gradients.Clear();
        zeroed.ApplyUpdate();
        Assert.Equal(before, zeroed.Parameters.ToArray());

        using var doubled = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Sgd, 0.05), 16, 3);
        using var twiceTheRate = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Sgd, 0.1), 16, 3);
        doubled.ComputeGradients(data.Features, data.Labels, 16);
        foreach (ref float g in doubled.Gradients)
        {
            g *= 2;
        }

        doubled.ApplyUpdate();
        twiceTheRate.TrainStep(data.Features, data.Labels, 16);
        Assert.Equal(twiceTheRate.Parameters.ToArray(), doubled.Parameters.ToArray());
    }

    /// <summary>TrainEpoch's batches are Shuffle's order with the network's seed and the epoch's number: the same steps by hand give the same weights, bit for bit.</summary>
    [Fact]
    public void TrainEpoch_takes_its_batches_in_the_public_shuffle_order()
    {
        Dataset<float> data = Networks.Blobs<float>(37, 4);
        using var trained = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Adam, 0.01), 8, 5);
        using var byHand = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Adam, 0.01), 8, 5);
        using var trainer = new Trainer<float>(trained, 8);
        trainer.TrainEpoch(data);
        trainer.TrainEpoch(data);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            HandSteps(byHand, data, epoch, int.MaxValue, 8);
        }

        Assert.Equal(byHand.Parameters.ToArray(), trained.Parameters.ToArray());
    }

    [Fact]
    public void Shuffle_is_a_permutation_fixed_by_seed_and_epoch()
    {
        int[] a = new int[50], b = new int[50], c = new int[50];
        Trainer<float>.Shuffle(a, 9, 1);
        Trainer<float>.Shuffle(b, 9, 1);
        Trainer<float>.Shuffle(c, 9, 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(Enumerable.Range(0, 50), a.Order());
    }

    /// <summary>
    /// Cancelled after the third batch's report: the fourth batch is never started, Step = 3, Epoch stays 0, the
    /// weights equal three uncancelled steps, and a rerun of the epoch gives the same batches from the first.
    /// </summary>
    [Fact]
    public void Cancelling_after_k_batches_leaves_exactly_k_updates_applied_and_the_epoch_uncounted()
    {
        const int K = 3;
        Dataset<float> data = Networks.Blobs<float>(64, 6);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Momentum, 0.01), 8, 2);
        using var byHand = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Momentum, 0.01), 8, 2);
        using var trainer = new Trainer<float>(network, 8);
        using var cancellation = new CancellationTokenSource();
        var progress = new Recorder<BatchProgress>(p =>
        {
            if (p.Batch == K)
            {
                cancellation.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => trainer.TrainEpoch(data, cancellation.Token, progress));

        Assert.Equal(K, network.Step);
        Assert.Equal(0, network.Epoch);
        HandSteps(byHand, data, 1, K, 8);
        Assert.Equal(byHand.Parameters.ToArray(), network.Parameters.ToArray());
        Assert.Equal(1, trainer.TrainEpoch(data).Epoch);
        Assert.Equal(K + 8, network.Step);
    }

    [Fact]
    public void A_token_cancelled_before_the_epoch_changes_nothing()
    {
        using Mlp<double> network = Tiny();
        using var trainer = new Trainer<double>(network, 1);
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(TinyRow(), null, new TrainingOptions(), new CancellationToken(true)));
        Assert.Equal(0, network.Step);
        Assert.Equal([0.5, -0.25, 0.1], network.Parameters.ToArray());
    }

    /// <summary>y = A·x + b with A = [[1, −2, 0.5], [0.3, 0, −1]], b = (0.2, −0.7), learned by a linear network through Fit to a mean squared error below 1e-8.</summary>
    [Fact]
    public void Regression_targets_train_through_Fit_to_a_known_linear_map()
    {
        double[,] a = { { 1, -2, 0.5 }, { 0.3, 0, -1 } };
        double[] b = [0.2, -0.7];
        var random = new Random(3);
        const int Rows = 200;
        double[] x = [.. Enumerable.Range(0, Rows * 3).Select(_ => (random.NextDouble() * 2) - 1)];
        double[] y = new double[Rows * 2];
        for (int r = 0; r < Rows; r++)
        {
            for (int k = 0; k < 2; k++)
            {
                y[(r * 2) + k] = b[k] + Enumerable.Range(0, 3).Sum(i => a[k, i] * x[(r * 3) + i]);
            }
        }

        var data = new Dataset<double>(x, y, 3, 2);
        (Dataset<double> train, Dataset<double> validation) = data.Split(0.25, 1);
        var architecture = new MlpArchitecture(3, [new DenseLayer(2, Activation.Identity)], LossKind.MeanSquaredError);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(OptimizerKind.Momentum, 0.05), 16, 1);
        using var trainer = new Trainer<double>(network, 16);

        TrainingResult result = trainer.Fit(train, validation, new TrainingOptions { Epochs = 300 });

        Assert.True(result.History[^1].ValidationLoss < 1e-8, $"validation MSE {result.History[^1].ValidationLoss}");
        Assert.True(double.IsNaN(result.History[^1].Accuracy));
        for (int k = 0; k < 2; k++)
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(a[k, i], network.Weights(0)[(i * 2) + k], 3);
            }

            Assert.Equal(b[k], network.Bias(0)[k], 3);
        }
    }

    [Fact]
    public void Regression_data_with_another_target_count_than_the_outputs_is_rejected_naming_data()
    {
        using Mlp<double> network = Tiny();
        using var trainer = new Trainer<double>(network, 1);
        var data = new Dataset<double>([1.0, 2.0], [0.0, 1.0], 2, 2);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => trainer.TrainEpoch(data)).ParamName);
        Assert.Equal(0, network.Step);
    }

    [Fact]
    public void Regression_data_set_checks_its_lengths_and_keeps_targets_through_subsets()
    {
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => new Dataset<double>(new double[4], new double[3], 2, 2)).ParamName);
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => new Dataset<double>(new double[5], new double[4], 2, 2)).ParamName);
        var data = new Dataset<double>([1, 2, 3, 4, 5, 6], [10, 11, 20, 21, 30, 31], 2, 2);
        Dataset<double> subset = data.Subset([2, 0]);
        Assert.Equal(2, subset.Rows);
        Assert.Equal([30.0, 31, 10, 11], subset.Targets.ToArray());
        Assert.Empty(subset.Labels.ToArray());
        Assert.Throws<InvalidOperationException>(() => Networks.Blobs<double>(2, 1).TargetRow(0));
    }

    /// <summary>After epoch 1 the rate is 0, so the validation loss never falls again: patience 2 stops after epoch 3 with epoch 1 the best.</summary>
    [Fact]
    public void Early_stopping_ends_after_patience_epochs_without_improvement()
    {
        Dataset<float> data = Networks.Blobs<float>(40, 1);
        Dataset<float> validation = Networks.Blobs<float>(20, 2);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        using var trainer = new Trainer<float>(network, 8);
        var reported = new List<EpochReport>();
        var options = new TrainingOptions
        {
            Epochs = 10,
            EarlyStoppingPatience = 2,
            Schedule = LearningRateSchedule.FromDelegate((_, epoch) => epoch == 1 ? 0.05 : 0),
        };

        TrainingResult result = trainer.Fit(data, validation, options, progress: new Recorder<EpochReport>(reported.Add));

        Assert.True(result.StoppedEarly);
        Assert.Equal(1, result.BestEpoch);
        Assert.Equal([1, 2, 3], result.History.Select(r => r.Epoch));
        Assert.Equal(result.History, reported);
        Assert.Equal(network.Evaluate(validation).Loss, result.History[^1].ValidationLoss);
        Assert.Equal(result.BestValidationLoss, result.History[0].ValidationLoss);
        Assert.Equal(3, network.Epoch);
    }

    /// <summary>A rate that explodes after epoch 1 makes every later epoch worse: the network ends with epoch 1's parameters.</summary>
    [Fact]
    public void Restoring_best_weights_ends_with_the_best_epochs_parameters()
    {
        Dataset<float> data = Networks.Blobs<float>(40, 1);
        Dataset<float> validation = Networks.Blobs<float>(20, 2);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        using var trainer = new Trainer<float>(network, 8);
        float[]? afterFirst = null;
        var options = new TrainingOptions
        {
            Epochs = 4,
            RestoreBestWeights = true,
            Schedule = LearningRateSchedule.FromDelegate((_, epoch) => epoch == 1 ? 0.05 : 40),
        };

        TrainingResult result = trainer.Fit(
            data, validation, options, progress: new Recorder<EpochReport>(r => afterFirst ??= network.Parameters.ToArray()));

        Assert.Equal(1, result.BestEpoch);
        Assert.False(result.StoppedEarly);
        Assert.Equal(afterFirst, network.Parameters.ToArray());
        Assert.Equal(4, network.Epoch);
    }

    [Fact]
    public void Fit_checks_its_options_and_data_before_any_step()
    {
        Dataset<float> data = Networks.Blobs<float>(16, 1);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        using var trainer = new Trainer<float>(network, 8);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => trainer.Fit(data, null, new TrainingOptions { EarlyStoppingPatience = 1 })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data, null, new TrainingOptions { WeightDecay = -1 })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data, null, new TrainingOptions { MaxGradientNorm = 0 })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data, null, new TrainingOptions { Epochs = -1 })).ParamName);
        var badValidation = new Dataset<float>(new float[3], new int[1], 3, ["a"]);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => trainer.Fit(data, badValidation, new TrainingOptions())).ParamName);
        Assert.Equal(0, network.Step);
    }

    /// <summary>The hook sees each update's number after the gradients exist and before clipping: scaling them there by 0 freezes the network.</summary>
    [Fact]
    public void BeforeUpdate_runs_between_backward_and_update_with_the_update_number()
    {
        Dataset<float> data = Networks.Blobs<float>(24, 1);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        using var trainer = new Trainer<float>(network, 8);
        float[] before = network.Parameters.ToArray();
        var steps = new List<long>();
        trainer.TrainEpoch(data, new TrainingOptions
        {
            MaxGradientNorm = 1,
            BeforeUpdate = step =>
            {
                steps.Add(step);
                network.Gradients.Clear();
            },
        });
        Assert.Equal([1, 2, 3], steps);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    /// <summary>∂J/∂X of a batch, labels and dense targets, against central differences of J in double; J and ∂J/∂θ are those of the overload without ∂J/∂X.</summary>
    [Theory]
    [InlineData(LossKind.SoftmaxCrossEntropy)]
    [InlineData(LossKind.MeanSquaredError)]
    public void Input_gradient_matches_central_differences(LossKind loss)
    {
        var architecture = new MlpArchitecture(4, [new DenseLayer(6, Activation.Tanh), new DenseLayer(3, Activation.Identity)], loss);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(), 5, 2);
        var random = new Random(1);
        const int Rows = 5;
        double[] x = [.. Enumerable.Range(0, Rows * 4).Select(_ => (random.NextDouble() * 2) - 1)];
        int[] labels = [0, 2, 1, 1, 0];
        double[] targets = [.. Enumerable.Range(0, Rows * 3).Select(_ => random.NextDouble())];
        double Loss(double[] input) => loss == LossKind.SoftmaxCrossEntropy
            ? network.ComputeGradients(input, labels, Rows)
            : network.ComputeGradients(input, targets, Rows);

        double[] dx = new double[Rows * 4];
        double j = loss == LossKind.SoftmaxCrossEntropy
            ? network.ComputeGradients(x, labels, Rows, dx)
            : network.ComputeGradients(x, targets, Rows, dx);
        double[] theta = network.Gradients.ToArray();
        Assert.Equal(Loss(x), j);
        Assert.Equal(network.Gradients.ToArray(), theta);
        for (int i = 0; i < x.Length; i++)
        {
            const double H = 1e-6;
            double[] plus = (double[])x.Clone();
            double[] minus = (double[])x.Clone();
            plus[i] += H;
            minus[i] -= H;
            double numeric = (Loss(plus) - Loss(minus)) / (2 * H);
            Assert.True(Math.Abs(dx[i] - numeric) <= 1e-8 + (1e-6 * Math.Abs(numeric)), $"dx[{i}] = {dx[i]}, numeric {numeric}");
        }

    }

    [Fact]
    public void Input_gradient_of_the_wrong_length_or_overlapping_is_rejected_before_anything_is_written()
    {
        using Mlp<double> network = Tiny();
        double[] x = [1.0, 2.0];
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() => network.ComputeGradients(x, [0.0], 1, new double[3])).ParamName);
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() => network.ComputeGradients(x, [0.0], 1, x)).ParamName);
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() => network.ComputeGradients(x, [0.0], 1, network.Gradients[..2])).ParamName);
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() => network.ComputeGradients(x, [0], 1, network.Parameters[1..])).ParamName);
        Assert.Equal(new double[3], network.Gradients.ToArray());
        Assert.Equal([0.5, -0.25, 0.1], network.Parameters.ToArray());
    }

    /// <summary>TrainStep per batch in Shuffle's order for <paramref name="epoch"/>, at most <paramref name="batches"/> batches.</summary>
    private static void HandSteps(Mlp<float> network, Dataset<float> data, int epoch, int batches, int batchSize)
    {
        int[] order = new int[data.Rows];
        Trainer<float>.Shuffle(order, network.Seed, epoch);
        for (int start = 0, b = 0; start < data.Rows && b < batches; start += batchSize, b++)
        {
            int rows = Math.Min(batchSize, data.Rows - start);
            Dataset<float> batch = data.Subset(order.AsSpan(start, rows));
            network.TrainStep(batch.Features, batch.Labels, rows);
        }
    }
}
