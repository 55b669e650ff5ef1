using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

/// <summary>Allocation counts must not see other tests' allocations: this collection runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class AllocationCollection
{
    public const string Name = "allocation";
}

[Collection(AllocationCollection.Name)]
public class AllocationTests
{
    public static IEnumerable<object[]> Cases() =>
        from loss in new[] { LossKind.SoftmaxCrossEntropy, LossKind.SigmoidCrossEntropy, LossKind.MeanSquaredError }
        from optimizer in Enum.GetValues<OptimizerKind>()
        select new object[] { loss, optimizer };

    /// <summary>After the first step (which warms GEMM's pools), 100 single-threaded steps allocate exactly 0 bytes.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Training_steps_allocate_nothing_single_threaded(LossKind loss, OptimizerKind optimizer)
    {
        Dataset<float> data = Networks.Blobs<float>(64, 3);
        using var network = new Mlp<float>(Networks.Classifier(ActivationKind.Tanh, loss), new OptimizerSettings(optimizer, 0.001), 64, 1)
        {
            CollectsDiagnostics = true,
        };
        float[] x = data.Features;
        int[] labels = data.Labels;
        network.TrainStep(x, labels, 64);
        network.TrainStep(x.AsSpan(0, 32 * 64), labels.AsSpan(0, 32), 32);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            int rows = i % 2 == 0 ? 64 : 32;
            network.TrainStep(x.AsSpan(0, rows * 64), labels.AsSpan(0, rows), rows);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// With GEMM on two threads: 0 bytes on this thread and, across the process, nothing that grows with the
    /// number of steps (GC.GetTotalAllocatedBytes also counts the runtime's own threads, so a fixed allowance of
    /// 64 KiB is given; one allocation per step would already exceed it over 100 steps of this size).
    /// </summary>
    [Fact]
    public void Training_steps_allocate_nothing_with_multithreaded_gemm()
    {
        Dataset<float> data = Networks.Blobs<float>(256, 3);
        var architecture = new MlpArchitecture(
            64, [new DenseLayer(512, new Activation(ActivationKind.Relu)), new DenseLayer(10, new Activation(ActivationKind.Identity))], LossKind.SoftmaxCrossEntropy);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(OptimizerKind.Sgd, 0.01), 256, 1, threads: 2);
        for (int i = 0; i < 3; i++)
        {
            network.TrainStep(data.Features, data.Labels, 256);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long totalBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 100; i++)
        {
            network.TrainStep(data.Features, data.Labels, 256);
        }

        long total = GC.GetTotalAllocatedBytes(precise: true) - totalBefore;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(total < 64 * 1024, $"{total} bytes allocated process-wide over 100 steps");
    }

    [Fact]
    public void Predict_allocates_nothing_once_warm()
    {
        Dataset<double> data = Networks.Blobs<double>(300, 3);
        using var network = new Mlp<double>(Networks.Classifier(), new OptimizerSettings(), 32, 1);
        double[] output = new double[300 * 10];
        network.Predict(data.Features, 300, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            network.Predict(data.Features, 300, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
