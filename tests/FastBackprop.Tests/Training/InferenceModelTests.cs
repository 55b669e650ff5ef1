using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

[Collection(AllocationCollection.Name)]
public class InferenceModelTests
{
    public static IEnumerable<object[]> Architectures() =>
        from loss in new[] { LossKind.SoftmaxCrossEntropy, LossKind.SigmoidCrossEntropy, LossKind.MeanSquaredError }
        from hidden in new[] { ActivationKind.Relu, ActivationKind.Tanh }
        select new object[] { loss, hidden };

    private static float[] Raw(int rows, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, rows * 64).Select(i => (float)(random.NextDouble() * 1000 * (i % 3) + 500 * (i % 2)))];
    }

    /// <summary>
    /// For the same rows in the same call sizes (1, 64, 300: more than one 256-row chunk), the inference model's
    /// probabilities and logits equal the training network's Predict on the same rows scaled by the same Apply.
    /// </summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void Predict_equals_the_training_networks_predict_bit_for_bit(LossKind loss, ActivationKind hidden)
    {
        Check<float>(loss, hidden);
        Check<double>(loss, hidden);
    }

    /// <summary>
    /// Batch invariance of Predict where every kernel on the way is row-invariant — GEMM (one k-order per path),
    /// bias and ReLU (exact per element) and softmax: a row's probabilities are the same predicted alone, at any
    /// position of any batch up to 300 rows, by the training network (MaxBatch 32, so its chunks differ from the
    /// inference model's 256) and by the inference model.
    /// </summary>
    [Fact]
    public void A_rows_probabilities_do_not_depend_on_the_batch_it_is_predicted_in()
    {
        var architecture = new MlpArchitecture(
            784, [new DenseLayer(256, Activation.Relu), new DenseLayer(10, Activation.Identity)], LossKind.SoftmaxCrossEntropy);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(OptimizerKind.Sgd, 0.1), maxBatch: 32, seed: 7);
        using var model = InferenceModel<float>.FromNetwork(network);
        var random = new Random(13);
        float[] x = [.. Enumerable.Range(0, 300 * 784).Select(_ => random.NextSingle())];
        var alone = new float[10];
        foreach (int rows in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 64, 255, 256, 257, 300 })
        {
            var fromNetwork = new float[rows * 10];
            var fromModel = new float[rows * 10];
            network.Predict(x.AsSpan(0, rows * 784), rows, fromNetwork);
            model.Predict(x.AsSpan(0, rows * 784), rows, fromModel);
            foreach (int row in new[] { 0, rows / 2, rows - 1 })
            {
                network.Predict(x.AsSpan(row * 784, 784), 1, alone);
                Assert.Equal(alone, fromNetwork.AsSpan(row * 10, 10).ToArray());
                Assert.Equal(alone, fromModel.AsSpan(row * 10, 10).ToArray());
            }
        }
    }

    /// <summary>
    /// Layers narrower than one vector: one row's activations are a span of 3, 10 or 13 elements, a batch's are longer,
    /// and the exp family (tanh, sigmoid, softplus, GELU) must give each element the same bits either way.
    /// </summary>
    [Theory]
    [InlineData(ActivationKind.Tanh, 10)]
    [InlineData(ActivationKind.Sigmoid, 13)]
    [InlineData(ActivationKind.Softplus, 3)]
    [InlineData(ActivationKind.GeluErf, 10)]
    public void A_rows_outputs_through_narrow_smooth_layers_do_not_depend_on_the_batch(ActivationKind hidden, int width)
    {
        var architecture = new MlpArchitecture(
            6, [new DenseLayer(width, new Activation(hidden, 0)), new DenseLayer(3, Activation.Identity)], LossKind.SigmoidCrossEntropy);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(OptimizerKind.Sgd, 0.1), maxBatch: 40, seed: 5);
        var random = new Random(29);
        float[] x = [.. Enumerable.Range(0, 40 * 6).Select(_ => (random.NextSingle() * 6) - 3)];
        var alone = new float[3];
        for (int rows = 1; rows <= 40; rows++)
        {
            var batch = new float[rows * 3];
            network.Predict(x.AsSpan(0, rows * 6), rows, batch);
            for (int row = 0; row < rows; row++)
            {
                network.Predict(x.AsSpan(row * 6, 6), 1, alone);
                Assert.Equal(alone, batch.AsSpan(row * 3, 3).ToArray());
            }
        }
    }

    private static void Check<T>(LossKind loss, ActivationKind hidden)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Dataset<T> data = Networks.Blobs<T>(300, 5);
        using var network = new Mlp<T>(Networks.Classifier(hidden, loss), new OptimizerSettings(OptimizerKind.Adam, 0.01), 256, 3);
        using (var trainer = new Trainer<T>(network, 32))
        {
            trainer.TrainEpoch(data);
        }

        T[] raw = [.. Raw(300, 9).Select(T.CreateTruncating)];
        var scaling = InputScaling.Standardize(new Dataset<T>(raw, new int[300], 64, ["a"]));
        T[] scaled = new T[raw.Length];
        scaling.Apply<T>(raw, 300, scaled);
        using var model = InferenceModel<T>.FromNetwork(network, new ModelInfo { Scaling = scaling });
        foreach (int rows in new[] { 1, 64, 300 })
        {
            T[] expected = new T[rows * 10];
            T[] actual = new T[rows * 10];
            network.Predict(scaled.AsSpan(0, rows * 64), rows, expected);
            model.Predict(raw.AsSpan(0, rows * 64), rows, actual);
            Assert.Equal(expected, actual);
            model.Predict(raw.AsSpan(0, rows * 64), rows, actual, PredictionKind.Logits);
            if (loss == LossKind.MeanSquaredError)
            {
                Assert.Equal(expected, actual);
            }
            else
            {
                Assert.NotEqual(expected, actual);
            }
        }
    }

    [Fact]
    public void PredictClasses_are_the_largest_probability_and_match_evaluate()
    {
        Dataset<float> data = Networks.Blobs<float>(300, 2);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Adam, 0.01), 256, 3);
        using (var trainer = new Trainer<float>(network, 32))
        {
            trainer.TrainEpoch(data);
        }

        using var model = InferenceModel<float>.FromNetwork(network);
        int[] classes = new int[300];
        model.PredictClasses(data.Features, 300, classes);
        float[] probabilities = new float[3000];
        model.Predict(data.Features, 300, probabilities);
        for (int r = 0; r < 300; r++)
        {
            ReadOnlySpan<float> row = probabilities.AsSpan(r * 10, 10);
            Assert.Equal(row.IndexOf(TensorMax(row)), classes[r]);
        }

        double accuracy = classes.Zip(data.Labels.ToArray()).Count(p => p.First == p.Second) / 300.0;
        Assert.Equal(network.Evaluate(data).Accuracy, accuracy);
    }

    private static float TensorMax(ReadOnlySpan<float> row)
    {
        float max = row[0];
        foreach (float v in row)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter_before_any_write()
    {
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 4, 1);
        using var model = InferenceModel<float>.FromNetwork(network);
        float[] x = new float[2 * 64];
        float[] output = new float[20];
        int[] classes = new int[2];
        Assert.Equal("rawRows", Assert.Throws<ArgumentException>(() => model.Predict(x.AsSpan(1), 2, output)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => model.Predict(x, 2, output.AsSpan(1))).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => model.Predict(x, -1, output)).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentException>(() => model.Predict(x, 2, output, (PredictionKind)7)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => model.Predict(x.AsSpan(0, 64), 1, x.AsSpan(60, 10))).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentException>(() => model.PredictClasses(x, 2, classes.AsSpan(1))).ParamName);
        Assert.Equal(new float[20], output);
        Assert.Equal("info", Assert.Throws<ArgumentException>(() => InferenceModel<float>.FromNetwork(network, new ModelInfo { Scaling = new InputScaling([0], [1]) })).ParamName);
        Assert.Equal("info", Assert.Throws<ArgumentException>(() => InferenceModel<float>.FromNetwork(network, new ModelInfo { ClassNames = ["a", "b"] })).ParamName);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Predict(x, 2, output));
    }

    [Fact]
    public void Load_of_a_checkpoint_predicts_like_the_saved_network()
    {
        Dataset<float> data = Networks.Blobs<float>(100, 4);
        using var network = new Mlp<float>(Networks.Classifier(ActivationKind.Tanh), new OptimizerSettings(OptimizerKind.Adam, 0.01), 256, 3);
        using (var trainer = new Trainer<float>(network, 16))
        {
            trainer.TrainEpoch(data);
        }

        string path = Path.Combine(Path.GetTempPath(), $"fastbackprop-inference-{Guid.NewGuid():N}.fbp");
        try
        {
            Checkpoint.Save(network, path);
            using var model = InferenceModel<float>.Load(path);
            Assert.Equal(network.Architecture, model.Architecture);
            Assert.Equal(network.Parameters.ToArray(), model.Parameters.ToArray());
            float[] expected = new float[1000];
            float[] actual = new float[1000];
            network.Predict(data.Features, 100, expected);
            model.Predict(data.Features, 100, actual);
            Assert.Equal(expected, actual);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A version-2 checkpoint carries the scaling, class names and metadata: the inference model loaded from it (from
    /// a file, with and without training state, and from a non-seekable stream) has that info and predicts from RAW
    /// rows bit for bit what the training network predicts on the rows scaled by the same Apply (batches of 1, 64 and
    /// 256 rows, at most the network's MaxBatch of 256, so GEMM splits them alike).
    /// </summary>
    [Fact]
    public void A_version_2_checkpoint_predicts_from_raw_rows_like_the_network_on_scaled_rows()
    {
        LoadedPredictsLikeNetwork<float>();
        LoadedPredictsLikeNetwork<double>();
    }

    private static void LoadedPredictsLikeNetwork<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var network = new Mlp<T>(Networks.Classifier(ActivationKind.Tanh), new OptimizerSettings(OptimizerKind.Adam, 0.01), 256, 3);
        using (var trainer = new Trainer<T>(network, 32))
        {
            trainer.TrainEpoch(Networks.Blobs<T>(300, 5));
        }

        T[] raw = [.. Raw(256, 4).Select(T.CreateTruncating)];
        ModelInfo full = ModelInfos.Full(64, 10);
        var info = full with { Scaling = InputScaling.Standardize(new Dataset<T>(raw, new int[256], 64, ["a"])) };
        T[] scaled = new T[raw.Length];
        info.Scaling!.Apply<T>(raw, 256, scaled);
        string path = Path.Combine(Path.GetTempPath(), $"fastbackprop-inference-{Guid.NewGuid():N}.fbp");
        try
        {
            foreach (bool includeTrainingState in new[] { true, false })
            {
                Checkpoint.Save(network, path, info, includeTrainingState);
                using var fromFile = InferenceModel<T>.Load(path);
                using var fromPipe = InferenceModel<T>.Load(new ForwardOnlyStream(File.ReadAllBytes(path)), "pipe");
                foreach (InferenceModel<T> model in new[] { fromFile, fromPipe })
                {
                    Assert.Equal(network.Architecture, model.Architecture);
                    Assert.Equal(network.Parameters.ToArray(), model.Parameters.ToArray());
                    ModelInfos.AssertEqual(info, model.Info);
                    foreach (int rows in new[] { 1, 64, 256 })
                    {
                        T[] expected = new T[rows * 10];
                        T[] actual = new T[rows * 10];
                        network.Predict(scaled.AsSpan(0, rows * 64), rows, expected);
                        model.Predict(raw.AsSpan(0, rows * 64), rows, actual);
                        Assert.Equal(expected, actual);
                    }
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Loading a checkpoint with Adam state into an inference model rents one parameter array and builds no
    /// training network (which would rent parameters, gradients and two moment vectors): for P = 525 826 doubles
    /// (a 2^20-element pool bucket, 8 MiB) the load allocates less than two such arrays.
    /// </summary>
    [Fact]
    public void Load_reads_the_weights_into_the_model_without_building_a_training_network()
    {
        var architecture = new MlpArchitecture(1024, [new DenseLayer(512, Activation.Tanh), new DenseLayer(2, Activation.Identity)], LossKind.SoftmaxCrossEntropy);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(OptimizerKind.Adam), 1, 5);
        var stored = new MemoryStream();
        Checkpoint.Save(network, stored);
        stored.Position = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var model = InferenceModel<double>.Load(stored);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(network.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.True(allocated < 2 * (1 << 20) * sizeof(double), $"{allocated} bytes allocated to load {network.ParameterCount} parameters");
    }

    /// <summary>
    /// Eight threads predict at once (2048 rows each, 8 chunks): once the pool holds one workspace per caller, every
    /// call allocates 0 B on every thread and equals the serial result (as AllocationTests does for Mlp.Predict).
    /// </summary>
    [Fact]
    public void Predict_from_eight_threads_allocates_nothing_once_warm_and_equals_serial_predict()
    {
        const int Threads = 8;
        const int Rows = 2048;
        const int Streak = 4;
        float[] raw = Raw(Rows, 3);
        using var network = new Mlp<float>(Networks.Classifier(ActivationKind.Tanh), new OptimizerSettings(), 64, 1);
        var scaling = InputScaling.Standardize(new Dataset<float>(raw, new int[Rows], 64, ["a"]));
        using var model = InferenceModel<float>.FromNetwork(network, new ModelInfo { Scaling = scaling });
        float[] serial = new float[Rows * 10];
        model.Predict(raw, Rows, serial);
        ConcurrentPredict.AllocatesNothingOnceWarmAndEqualsSerial(Threads, serial, output => model.Predict(raw, Rows, output), Streak);
    }
}
