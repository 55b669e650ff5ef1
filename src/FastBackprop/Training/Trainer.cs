using System.Buffers;
using System.Diagnostics;

namespace FastBackprop.Training;

/// <summary>What one epoch of <see cref="Trainer{T}.TrainEpoch(Dataset{T}, CancellationToken, IProgress{BatchProgress})"/> did.</summary>
/// <param name="Epoch">The epoch's number, 1 = first.</param>
/// <param name="Loss">Mean per row of the training loss, taken at each batch before its update.</param>
/// <param name="Accuracy">Fraction of training rows classified correctly at their batch's forward pass; NaN for regression targets.</param>
/// <param name="Diagnostics">Per layer: saturation, dead units, gradient norm.</param>
/// <param name="Elapsed">Wall time of the epoch's steps.</param>
public sealed record EpochReport(int Epoch, double Loss, double Accuracy, IReadOnlyList<LayerDiagnostics> Diagnostics, TimeSpan Elapsed)
{
    /// <summary>The validation data's loss per row after the epoch (<see cref="Mlp{T}.Evaluate"/>); NaN without validation data.</summary>
    public double ValidationLoss { get; init; } = double.NaN;

    /// <summary>The validation data's accuracy after the epoch; NaN without validation data or for regression targets.</summary>
    public double ValidationAccuracy { get; init; } = double.NaN;

    /// <summary>η of the epoch's last update; NaN when the epoch had no rows.</summary>
    public double LearningRate { get; init; } = double.NaN;
}

/// <summary>
/// Trains an <see cref="Mlp{T}"/> on a <see cref="Dataset{T}"/> (class labels or regression targets) in
/// mini-batches, with the rows shuffled per epoch by <see cref="Shuffle"/>: epoch e's order is a Fisher–Yates
/// permutation drawn from <see cref="Xoshiro256"/> seeded by the network's <see cref="Mlp{T}.Seed"/> and e alone,
/// so a run resumed from a checkpoint sees the same batches as an uninterrupted one. The last batch of an epoch
/// may be smaller. Batch buffers are rented once from <see cref="ArrayPool{T}"/>; a step allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Cancellation is checked before every batch, so a request is honoured within one batch's time. A cancelled epoch
/// throws <see cref="OperationCanceledException"/> and leaves the network consistent: every batch before the
/// request is fully applied (<see cref="Mlp{T}.Step"/> counts them), none is half-applied, and
/// <see cref="Mlp{T}.Epoch"/> is not advanced, since it counts completed epochs only. Training again reruns the
/// same epoch number, in the same order, from its first batch.
/// </para>
/// <para>Progress is reported synchronously on the training thread; a reporter that throws ends the epoch there.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Trainer<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Constant rate, no decay, no clipping: what the plain <see cref="TrainEpoch(Dataset{T}, CancellationToken, IProgress{BatchProgress})"/> trains with.</summary>
    private static readonly TrainingOptions Plain = new();

    private readonly Mlp<T> _network;
    private readonly T[] _batchFeatures;
    private readonly int[] _batchLabels;
    private readonly T[] _batchTargets;
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

        // batchSize ≤ MaxBatch, and MaxBatch × every layer's width fits an array (checked by the network).
        int targetLength = batchSize * network.Architecture.Outputs;
        _network = network;
        BatchSize = batchSize;
        _batchFeatures = ArrayPool<T>.Shared.Rent(featureLength);
        _batchLabels = ArrayPool<int>.Shared.Rent(batchSize);
        _batchTargets = ArrayPool<T>.Shared.Rent(targetLength);
        network.CollectsDiagnostics = true;
    }

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// The order of epoch <paramref name="epoch"/>'s rows: fills <paramref name="order"/> with <c>0 … Length − 1</c>
    /// and permutes it by Fisher–Yates from <see cref="Xoshiro256"/> seeded with
    /// <c>seed ⊕ (0x9E3779B97F4A7C15 · epoch)</c>. <see cref="TrainEpoch(Dataset{T}, CancellationToken, IProgress{BatchProgress})"/>
    /// takes its batches in this order with <c>seed = Mlp.Seed</c> and <c>epoch = Mlp.Epoch + 1</c>: batch b holds
    /// rows <c>order[b·BatchSize …]</c>. An app that runs its own loop, or spreads one over several machines, draws
    /// the same order from it.
    /// </summary>
    /// <param name="order">Destination, one entry per row; its old content is ignored.</param>
    /// <param name="seed">The network's seed.</param>
    /// <param name="epoch">The epoch's number, from 1.</param>
    public static void Shuffle(Span<int> order, ulong seed, int epoch)
    {
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        new Xoshiro256(seed ^ (0x9E3779B97F4A7C15UL * (ulong)epoch)).Shuffle(order);
    }

    /// <summary>
    /// Runs one epoch over <paramref name="data"/> at the optimizer's constant rate: for each batch of the shuffled
    /// order, one <see cref="Mlp{T}.TrainStep(ReadOnlySpan{T}, ReadOnlySpan{int}, int)"/> (or its dense-target
    /// form for regression targets); then advances <see cref="Mlp{T}.Epoch"/>. The whole data set is checked before
    /// the first step, so a bad row anywhere leaves the network unchanged.
    /// </summary>
    /// <param name="data">Training rows, with labels or targets.</param>
    /// <param name="cancellationToken">Checked before every batch (see the class remarks for what a cancelled epoch leaves).</param>
    /// <param name="progress">Told of every batch after its update.</param>
    /// <exception cref="ArgumentException">The data's feature count is not the network's input width, a label is outside the network's classes, or its target count is not the network's outputs.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Mlp{T}.Epoch"/> is <see cref="int.MaxValue"/>: the epoch could not be counted.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the epoch's last batch.</exception>
    /// <exception cref="ObjectDisposedException">The trainer or its network is disposed.</exception>
    public EpochReport TrainEpoch(Dataset<T> data, CancellationToken cancellationToken = default, IProgress<BatchProgress>? progress = null)
    {
        CheckEpoch(data, 1);
        return RunEpoch(data, Plain, cancellationToken, progress);
    }

    /// <summary>
    /// Runs one epoch over <paramref name="data"/> as <see cref="TrainEpoch(Dataset{T}, CancellationToken, IProgress{BatchProgress})"/>
    /// does, with <paramref name="options"/>' schedule, weight decay, gradient clipping, hook and batch progress
    /// (<see cref="TrainingOptions.Epochs"/> and early stopping belong to <see cref="Fit"/> and are ignored here).
    /// </summary>
    /// <param name="data">Training rows, with labels or targets.</param>
    /// <param name="options">How each update is made.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <exception cref="ArgumentException">As for the plain overload, or an option is outside its range (naming <paramref name="options"/>).</exception>
    /// <exception cref="InvalidOperationException">The epoch could not be counted, or the schedule gave a rate that is negative or not finite (before that batch).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the epoch's last batch.</exception>
    /// <exception cref="ObjectDisposedException">The trainer or its network is disposed.</exception>
    public EpochReport TrainEpoch(Dataset<T> data, TrainingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        CheckEpoch(data, 1);
        return RunEpoch(data, options, cancellationToken, options.BatchProgress);
    }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs (each as <see cref="TrainEpoch(Dataset{T}, TrainingOptions, CancellationToken)"/>),
    /// evaluating <paramref name="validation"/> after each and putting its loss and accuracy in the epoch's report;
    /// with <see cref="TrainingOptions.EarlyStoppingPatience"/> p &gt; 0 it stops after p epochs in a row without a
    /// validation loss below the best so far, and with <see cref="TrainingOptions.RestoreBestWeights"/> it ends
    /// with the best epoch's parameters. Everything is checked before the first step. Per update nothing is
    /// allocated; per epoch the report and its diagnostics are.
    /// </summary>
    /// <param name="train">Training rows, with labels or targets.</param>
    /// <param name="validation">Rows evaluated after every epoch, or null.</param>
    /// <param name="options">Epochs, schedule, decay, clipping, early stopping, hooks.</param>
    /// <param name="cancellationToken">
    /// Checked before every batch. A cancelled Fit throws <see cref="OperationCanceledException"/> with the network
    /// as the cancelled epoch leaves it (see the class remarks); best weights are then not restored.
    /// </param>
    /// <param name="progress">Told of every epoch's report, validation included.</param>
    /// <returns>The reports, the best epoch and whether training stopped early.</returns>
    /// <exception cref="ArgumentException">
    /// Either data set does not fit the network, an option is outside its range (naming <paramref name="options"/>), or
    /// early stopping or restoring is asked for without <paramref name="validation"/>.
    /// </exception>
    /// <exception cref="InvalidOperationException">The epochs could not be counted, or the schedule gave a rate that is negative or not finite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The trainer or its network is disposed.</exception>
    public TrainingResult Fit(
        Dataset<T> train, Dataset<T>? validation, TrainingOptions options, CancellationToken cancellationToken = default, IProgress<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(nameof(options));
        CheckEpoch(train, options.Epochs);
        if (validation is not null)
        {
            _network.CheckData(validation, nameof(validation));
        }
        else if (options.EarlyStoppingPatience > 0 || options.RestoreBestWeights)
        {
            throw new ArgumentException("early stopping and restoring the best weights judge epochs by their validation loss: validation data is needed.", nameof(validation));
        }

        var history = new List<EpochReport>(options.Epochs);
        int bestEpoch = 0;
        double bestLoss = double.NaN;
        int sinceBest = 0;
        bool stoppedEarly = false;
        T[]? best = options.RestoreBestWeights ? ArrayPool<T>.Shared.Rent(_network.ParameterCount) : null;
        try
        {
            for (int e = 0; e < options.Epochs; e++)
            {
                EpochReport report = RunEpoch(train, options, cancellationToken, options.BatchProgress);
                if (validation is not null)
                {
                    Evaluation evaluation = _network.Evaluate(validation);
                    report = report with { ValidationLoss = evaluation.Loss, ValidationAccuracy = evaluation.Accuracy };

                    // A NaN loss never improves; the first finite one does.
                    if (evaluation.Loss < bestLoss || (bestEpoch == 0 && !double.IsNaN(evaluation.Loss)))
                    {
                        bestLoss = evaluation.Loss;
                        bestEpoch = report.Epoch;
                        sinceBest = 0;
                        if (best is not null)
                        {
                            _network.Parameters.CopyTo(best);
                        }
                    }
                    else
                    {
                        sinceBest++;
                    }
                }

                history.Add(report);
                progress?.Report(report);
                if (options.EarlyStoppingPatience > 0 && sinceBest >= options.EarlyStoppingPatience)
                {
                    stoppedEarly = e < options.Epochs - 1;
                    break;
                }
            }

            if (best is not null && bestEpoch > 0)
            {
                best.AsSpan(0, _network.ParameterCount).CopyTo(_network.Parameters);
            }
        }
        finally
        {
            if (best is not null)
            {
                ArrayPool<T>.Shared.Return(best);
            }
        }

        return new TrainingResult(history, bestEpoch, bestLoss, stoppedEarly);
    }

    /// <summary>Checks the trainer, the data and that <paramref name="epochs"/> more epochs can be counted, before any step.</summary>
    private void CheckEpoch(Dataset<T> data, int epochs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        _network.CheckData(data, nameof(data));
        if (_network.Epoch > int.MaxValue - epochs)
        {
            throw new InvalidOperationException(
                $"the network has completed {_network.Epoch} epochs; {epochs} more would pass {int.MaxValue}, the most Epoch counts.");
        }
    }

    /// <summary>One epoch, checked by the caller: per batch, gradients, hook, clip, update, progress.</summary>
    private EpochReport RunEpoch(Dataset<T> data, TrainingOptions options, CancellationToken cancellationToken, IProgress<BatchProgress>? progress)
    {
        int inputs = _network.Architecture.Inputs;
        int outputs = _network.Architecture.Outputs;
        if (_order.Length < data.Rows)
        {
            ReturnOrder();
            _order = ArrayPool<int>.Shared.Rent(data.Rows);
        }

        Span<int> order = _order.AsSpan(0, data.Rows);
        int epoch = _network.Epoch + 1;
        Shuffle(order, _network.Seed, epoch);

        var clock = Stopwatch.StartNew();
        double loss = 0;
        int correct = 0;
        double rate = double.NaN;
        double baseRate = _network.Optimizer.LearningRate;
        bool clip = !double.IsPositiveInfinity(options.MaxGradientNorm);
        int batches = (int)(((long)data.Rows + BatchSize - 1) / BatchSize);
        try
        {
            for (int batch = 0; batch < batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = batch * BatchSize;
                int rows = Math.Min(BatchSize, data.Rows - start);
                long step = _network.Step + 1;
                rate = options.Schedule is null ? baseRate : options.Schedule.RateAt(step, epoch, baseRate);
                if (!(double.IsFinite(rate) && rate >= 0))
                {
                    throw new InvalidOperationException($"the learning-rate schedule gave {rate} for step {step} of epoch {epoch}; a rate must be finite and ≥ 0.");
                }

                Span<T> x = _batchFeatures.AsSpan(0, rows * inputs);
                for (int r = 0; r < rows; r++)
                {
                    data.Row(order[start + r]).CopyTo(x.Slice(r * inputs, inputs));
                }

                // Plain SGD with nothing between the gradient and the update runs as one fused step (Mlp.TrainStepFused).
                bool fused = _network.FusesSgdStep && !clip && options.BeforeUpdate is null;
                double batchLoss;
                if (data.HasTargets)
                {
                    Span<T> targets = _batchTargets.AsSpan(0, rows * outputs);
                    for (int r = 0; r < rows; r++)
                    {
                        data.TargetRow(order[start + r]).CopyTo(targets.Slice(r * outputs, outputs));
                    }

                    batchLoss = double.CreateTruncating(fused
                        ? _network.TrainStepFused(x, targets, rows, rate, options.WeightDecay)
                        : _network.ComputeGradients(x, targets, rows));
                }
                else
                {
                    Span<int> labels = _batchLabels.AsSpan(0, rows);
                    for (int r = 0; r < rows; r++)
                    {
                        labels[r] = data.Labels[order[start + r]];
                    }

                    batchLoss = double.CreateTruncating(fused
                        ? _network.TrainStepFused(x, labels, rows, rate, options.WeightDecay)
                        : _network.ComputeGradients(x, labels, rows));
                    correct += Mlp<T>.CountCorrect(_network.LastOutput, rows, outputs, labels, _network.LogitThreshold);
                }

                if (!fused)
                {
                    options.BeforeUpdate?.Invoke(step);
                    if (clip)
                    {
                        _network.ClipGradientNorm(options.MaxGradientNorm);
                    }

                    _network.ApplyUpdate(rate, options.WeightDecay);
                }

                loss += _network.LossIsMean ? batchLoss * rows : batchLoss;
                progress?.Report(new BatchProgress(epoch, batch + 1, batches, batchLoss, rate));
            }
        }
        catch
        {
            // The diagnostics of a broken-off epoch must not leak into the next epoch's report.
            _network.TakeDiagnostics();
            throw;
        }

        clock.Stop();
        _network.Epoch = epoch;
        double accuracy = data.HasTargets ? double.NaN : data.Rows == 0 ? 0 : (double)correct / data.Rows;
        return new EpochReport(epoch, data.Rows == 0 ? 0 : loss / data.Rows, accuracy, _network.TakeDiagnostics(), clock.Elapsed)
        {
            LearningRate = rate,
        };
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
        ArrayPool<T>.Shared.Return(_batchTargets);
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
