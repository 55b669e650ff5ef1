using System.Buffers;
using System.Globalization;

using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public class TrainerTests
{
    private static string[] Names(int classes) => [.. Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>A label the network cannot take, in the last row, is found before the first batch: no step, no weight changed.</summary>
    [Fact]
    public void TrainEpoch_rejects_a_bad_label_in_any_row_before_the_first_step()
    {
        Dataset<float> blobs = Networks.Blobs<float>(64, 1);
        int[] labels = blobs.Labels.ToArray();
        labels[63] = 11;
        var data = new Dataset<float>(blobs.Features, labels, 64, Names(12));
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        float[] before = network.Parameters.ToArray();
        using var trainer = new Trainer<float>(network, 8);
        var exception = Assert.Throws<ArgumentException>(() => trainer.TrainEpoch(data));
        Assert.Equal("data", exception.ParamName);
        Assert.Contains("data.Labels[63] is 11", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, network.Step);
        Assert.Equal(0, network.Epoch);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    /// <summary>The data set copied its labels: the caller's array, changed afterwards to a label no network takes, does not reach the epoch.</summary>
    [Fact]
    public void TrainEpoch_does_not_see_a_change_to_the_callers_labels_after_the_data_set_was_built()
    {
        Dataset<float> blobs = Networks.Blobs<float>(40, 2);
        int[] labels = blobs.Labels.ToArray();
        var data = new Dataset<float>(blobs.Features, labels, 64, blobs.ClassNames);
        labels[39] = -1;
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        using var trainer = new Trainer<float>(network, 8);
        trainer.TrainEpoch(data);
        Assert.Equal(5, network.Step);
    }

    [Fact]
    public void TrainEpoch_rejects_another_feature_count_naming_data()
    {
        var data = new Dataset<float>(new float[12], new int[4], 3, Names(10));
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        using var trainer = new Trainer<float>(network, 8);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => trainer.TrainEpoch(data)).ParamName);
        Assert.Equal(0, network.Step);
    }

    [Fact]
    public void A_disposed_trainer_or_network_throws_ObjectDisposedException_before_any_step()
    {
        Dataset<float> data = Networks.Blobs<float>(16, 3);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        var trainer = new Trainer<float>(network, 8);
        trainer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => trainer.TrainEpoch(data));
        Assert.Equal(0, network.Step);

        var disposed = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        var orphan = new Trainer<float>(disposed, 8);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => orphan.TrainEpoch(data));
        orphan.Dispose();
    }

    /// <summary>
    /// A second Dispose must not return the batch buffers to the pool again: a twice-returned array is later
    /// rented by two owners at once.
    /// </summary>
    [Fact]
    public void Dispose_twice_returns_each_buffer_to_the_pool_once()
    {
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1);
        var trainer = new Trainer<float>(network, 8);
        trainer.Dispose();
        trainer.Dispose();
        int[] first = ArrayPool<int>.Shared.Rent(8);
        int[] second = ArrayPool<int>.Shared.Rent(8);
        Assert.NotSame(first, second);
        ArrayPool<int>.Shared.Return(first);
        ArrayPool<int>.Shared.Return(second);
    }

    [Fact]
    public void TrainEpoch_at_the_last_epoch_number_throws_before_any_step()
    {
        Dataset<float> data = Networks.Blobs<float>(16, 3);
        using var network = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(), 8, 1) { Epoch = int.MaxValue };
        using var trainer = new Trainer<float>(network, 8);
        Assert.Throws<InvalidOperationException>(() => trainer.TrainEpoch(data));
        Assert.Equal(0, network.Step);
        Assert.Equal(int.MaxValue, network.Epoch);
    }
}
