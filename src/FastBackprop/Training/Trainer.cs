using System.Buffers;
using System.Diagnostics;

namespace FastBackprop.Training;

/// <summary>What one epoch of <see cref="Trainer{T}.TrainEpoch"/> did.</summary>
/// <param name="Epoch">The epoch's number, 1 = first.</param>
/// <param name="Loss">Mean per row of the training loss, taken at each batch before its update.</param>
/// <param name="Accuracy">Fraction of training rows classified correctly at their batch's forward pass.</param>
/// <param name="Diagnostics">Per layer: saturation, dead units, gradient norm.</param>
/// <param name="Elapsed">Wall time of the epoch's steps.</param>
public sealed record EpochReport(int Epoch, double Loss, double Accuracy, IReadOnlyList<LayerDiagnostics> Diagnostics, TimeSpan Elapsed);

/// <summary>
/// Trains an <see cref="Mlp{T}"/> on a <see cref="Dataset{T}"/> in mini-batches, with the rows shuffled per
/// epoch: epoch e's order is a Fisher–Yates permutation drawn from <see cref="Xoshiro256"/> seeded by the
/// network's <see cref="Mlp{T}.Seed"/> and e alone, so a run resumed from a checkpoint sees the same batches as
/// an uninterrupted one. The last batch of an epoch may be smaller. Batch buffers are rented once from
/// <see cref="ArrayPool{T}"/>; a step allocates nothing.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Trainer<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Mlp<T> _network;
    private readonly T[] _batchFeatures;
    private readonly int[] _batchLabels;
    private int[] _order = [];
    private bool _disposed;

    /// <summary>Prepares batches of <paramref name="batchSize"/> rows for <paramref name="network"/> and turns its diagnostics on.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not in [1, network.MaxBatch].</exception>
    /// <exception cref="ArgumentException"><c>batchSize × inputs</c> does not fit one array.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="network"/> is disposed.</exception>
    public Trainer(Mlp<T> network, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, network.MaxBatch);
        int featureLength = Sizes.ArrayLength(batchSize, network.Architecture.Inputs, nameof(batchSize), "inputs");
        _network = network;
        BatchSize = batchSize;
        _batchFeatures = ArrayPool<T>.Shared.Rent(featureLength);
        _batchLabels = ArrayPool<int>.Shared.Rent(batchSize);
        network.CollectsDiagnostics = true;
    }

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// Runs one epoch over <paramref name="data"/>: for each batch of the shuffled order, one
    /// <see cref="Mlp{T}.TrainStep(ReadOnlySpan{T}, ReadOnlySpan{int}, int)"/>; then advances <see cref="Mlp{T}.Epoch"/>.
    /// The whole data set is checked before the first step, so a bad row anywhere leaves the network unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The data's feature count is not the network's input width, or a label is outside the network's classes.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Mlp{T}.Epoch"/> is <see cref="int.MaxValue"/>: the epoch could not be counted.</exception>
    /// <exception cref="ObjectDisposedException">The trainer or its network is disposed.</exception>
    public EpochReport TrainEpoch(Dataset<T> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        _network.CheckData(data, nameof(data));
        if (_network.Epoch == int.MaxValue)
        {
            throw new InvalidOperationException($"the network has completed {int.MaxValue} epochs, the most Epoch counts.");
        }

        int inputs = _network.Architecture.Inputs;
        if (_order.Length < data.Rows)
        {
            ReturnOrder();
            _order = ArrayPool<int>.Shared.Rent(data.Rows);
        }

        Span<int> order = _order.AsSpan(0, data.Rows);
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        int epoch = _network.Epoch + 1;
        new Xoshiro256(_network.Seed ^ (0x9E3779B97F4A7C15UL * (ulong)epoch)).Shuffle(order);

        var clock = Stopwatch.StartNew();
        double loss = 0;
        int correct = 0;
        int outputs = _network.Architecture.Outputs;
        for (int start = 0; start < data.Rows; start += BatchSize)
        {
            int rows = Math.Min(BatchSize, data.Rows - start);
            Span<T> x = _batchFeatures.AsSpan(0, rows * inputs);
            Span<int> labels = _batchLabels.AsSpan(0, rows);
            for (int r = 0; r < rows; r++)
            {
                int source = order[start + r];
                data.Row(source).CopyTo(x.Slice(r * inputs, inputs));
                labels[r] = data.Labels[source];
            }

            double batchLoss = double.CreateTruncating(_network.TrainStep(x, labels, rows));
            loss += _network.LossIsMean ? batchLoss * rows : batchLoss;
            correct += Mlp<T>.CountCorrect(_network.LastOutput, rows, outputs, labels, _network.LogitThreshold);
        }

        clock.Stop();
        _network.Epoch = epoch;
        return new EpochReport(
            epoch, data.Rows == 0 ? 0 : loss / data.Rows, data.Rows == 0 ? 0 : (double)correct / data.Rows, _network.TakeDiagnostics(), clock.Elapsed);
    }

    /// <summary>Returns the batch buffers to their pools, once however often it is called; the network stays usable.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ArrayPool<T>.Shared.Return(_batchFeatures);
        ArrayPool<int>.Shared.Return(_batchLabels);
        ReturnOrder();
    }

    private void ReturnOrder()
    {
        if (_order.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_order);
            _order = [];
        }
    }
}
