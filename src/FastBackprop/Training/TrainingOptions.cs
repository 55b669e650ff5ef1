namespace FastBackprop.Training;

/// <summary>
/// How <see cref="Trainer{T}.Fit"/> and <see cref="Trainer{T}.TrainEpoch(Dataset{T}, TrainingOptions, CancellationToken)"/>
/// train. Every member is optional; the defaults train at the optimizer's constant rate with no decay, no
/// clipping and no early stopping, exactly as <see cref="Trainer{T}.TrainEpoch(Dataset{T}, CancellationToken, IProgress{BatchProgress})"/>.
/// </summary>
/// <remarks>
/// Each update runs, in order: the gradients of the batch; <see cref="BeforeUpdate"/>; clipping to
/// <see cref="MaxGradientNorm"/>; then <see cref="Mlp{T}.ApplyUpdate(double, double)"/> with η from
/// <see cref="Schedule"/> and λ = <see cref="WeightDecay"/>. Clipping follows the hook so that a gradient summed
/// across processes is clipped as a whole.
/// </remarks>
public sealed record TrainingOptions
{
    /// <summary>Epochs <see cref="Trainer{T}.Fit"/> runs (fewer if early stopping ends it), ≥ 0.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>The learning rate per update; null: the optimizer's constant <see cref="OptimizerSettings.LearningRate"/>.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>λ of decoupled weight decay, <c>w ← w − η·λ·w</c> each update, weights only (biases are not decayed); finite, ≥ 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Global L2 clip: every gradient is scaled by <c>min(1, MaxGradientNorm / ‖g‖₂)</c> (<see cref="Mlp{T}.ClipGradientNorm"/>); &gt; 0, ∞ = off.</summary>
    public double MaxGradientNorm { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Early stopping: <see cref="Trainer{T}.Fit"/> stops after this many epochs in a row without a validation loss
    /// below the best so far; 0 = off. Needs validation data.
    /// </summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Whether <see cref="Trainer{T}.Fit"/> ends with the parameters of the epoch with the least validation loss
    /// (copied into a buffer rented once per Fit). Only the parameters are restored: the optimizer state,
    /// <see cref="Mlp{T}.Step"/> and <see cref="Mlp{T}.Epoch"/> stay those of the last epoch run. Needs validation data.
    /// </summary>
    public bool RestoreBestWeights { get; init; }

    /// <summary>Reported after every batch's update, on the training thread.</summary>
    public IProgress<BatchProgress>? BatchProgress { get; init; }

    /// <summary>
    /// Called with the update's number (<c>Mlp.Step + 1</c>) after the batch's gradients are computed and before
    /// they are clipped and applied: the seam where an app reads or rewrites <see cref="Mlp{T}.Gradients"/> (e.g.
    /// sums them across processes).
    /// </summary>
    public Action<long>? BeforeUpdate { get; init; }

    /// <summary>Throws, naming <paramref name="name"/>, when a member is outside its range.</summary>
    internal void Validate(string name)
    {
        if (Epochs < 0)
        {
            throw new ArgumentOutOfRangeException(name, Epochs, $"{name}.Epochs is {Epochs}; it must be ≥ 0.");
        }

        if (!(double.IsFinite(WeightDecay) && WeightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(name, WeightDecay, $"{name}.WeightDecay is {WeightDecay}; it must be finite and ≥ 0.");
        }

        if (!(MaxGradientNorm > 0))
        {
            throw new ArgumentOutOfRangeException(name, MaxGradientNorm, $"{name}.MaxGradientNorm is {MaxGradientNorm}; it must be positive (∞ = no clipping).");
        }

        if (EarlyStoppingPatience < 0)
        {
            throw new ArgumentOutOfRangeException(name, EarlyStoppingPatience, $"{name}.EarlyStoppingPatience is {EarlyStoppingPatience}; it must be ≥ 0.");
        }
    }
}

/// <summary>
/// One batch's update, reported by <see cref="Trainer{T}"/> right after it is applied. A struct, so that reporting
/// allocates nothing (an <see cref="IProgress{T}"/> that posts to a synchronization context, as
/// <see cref="Progress{T}"/> does, boxes it there).
/// </summary>
/// <param name="Epoch">The epoch's number, from 1.</param>
/// <param name="Batch">The batch's number within the epoch, from 1.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="Loss">The batch's loss J before its update, in the head's convention (<see cref="LossKind"/>).</param>
/// <param name="LearningRate">η the update used.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double Loss, double LearningRate);

/// <summary>What <see cref="Trainer{T}.Fit"/> did.</summary>
/// <param name="History">One report per epoch run, in order.</param>
/// <param name="BestEpoch">The epoch (its <see cref="EpochReport.Epoch"/>) with the least validation loss; 0 without validation data.</param>
/// <param name="BestValidationLoss">That loss; NaN without validation data.</param>
/// <param name="StoppedEarly">Whether early stopping ended the run before <see cref="TrainingOptions.Epochs"/>.</param>
public sealed record TrainingResult(IReadOnlyList<EpochReport> History, int BestEpoch, double BestValidationLoss, bool StoppedEarly);
