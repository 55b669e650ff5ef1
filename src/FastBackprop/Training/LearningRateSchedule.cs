namespace FastBackprop.Training;

/// <summary>
/// The learning rate η of each update, which <see cref="Trainer{T}"/> asks for before every step and passes to
/// <see cref="Mlp{T}.ApplyUpdate(double, double)"/>. <c>step</c> is the number of the update about to be applied
/// (<c>Mlp.Step + 1</c>, Adam's t, from 1) and <c>epoch</c> the number of the epoch it belongs to
/// (<c>Mlp.Epoch + 1</c>, from 1); both count from the network's start, so a run resumed from a checkpoint continues
/// the same schedule.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>η for update <paramref name="step"/> of epoch <paramref name="epoch"/>, given the optimizer's own rate.</summary>
    /// <param name="step">The update's number, from 1.</param>
    /// <param name="epoch">The epoch's number, from 1.</param>
    /// <param name="baseRate">The optimizer's <see cref="OptimizerSettings.LearningRate"/>.</param>
    /// <returns>η, which must be finite and ≥ 0.</returns>
    public abstract double RateAt(long step, int epoch, double baseRate);

    /// <summary>Step decay, per epoch: <c>η = baseRate · factor^⌊(epoch − 1) / everyEpochs⌋</c>.</summary>
    /// <param name="everyEpochs">Epochs between decays, ≥ 1.</param>
    /// <param name="factor">Multiplier per decay, finite and &gt; 0 (e.g. 0.5).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public static LearningRateSchedule Step(int everyEpochs, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyEpochs);
        if (!(double.IsFinite(factor) && factor > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "the decay factor must be finite and positive.");
        }

        return new StepSchedule(everyEpochs, factor);
    }

    /// <summary>
    /// Cosine annealing, per epoch (Loshchilov and Hutter's SGDR without restarts):
    /// <c>η = minRate + (baseRate − minRate) · (1 + cos(π · min(epoch − 1, totalEpochs) / totalEpochs)) / 2</c>,
    /// so epoch 1 trains at baseRate and every epoch after <paramref name="totalEpochs"/> at minRate.
    /// </summary>
    /// <param name="totalEpochs">Epochs over which η falls, ≥ 1.</param>
    /// <param name="minRate">The final rate, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public static LearningRateSchedule Cosine(int totalEpochs, double minRate = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalEpochs);
        if (!(double.IsFinite(minRate) && minRate >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(minRate), minRate, "the final rate must be finite and ≥ 0.");
        }

        return new CosineSchedule(totalEpochs, minRate);
    }

    /// <summary>Any schedule: <c>η = rate(step, epoch)</c>, called once per update (the optimizer's own rate is not passed).</summary>
    /// <param name="rate">Maps (step, epoch), both from 1, to η; must not allocate if training is to stay allocation-free.</param>
    public static LearningRateSchedule FromDelegate(Func<long, int, double> rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        return new DelegateSchedule(rate);
    }

    private sealed record StepSchedule(int EveryEpochs, double Factor) : LearningRateSchedule
    {
        public override double RateAt(long step, int epoch, double baseRate) => baseRate * Math.Pow(Factor, (epoch - 1) / EveryEpochs);
    }

    private sealed record CosineSchedule(int TotalEpochs, double MinRate) : LearningRateSchedule
    {
        public override double RateAt(long step, int epoch, double baseRate) =>
            MinRate + ((baseRate - MinRate) * (1 + Math.Cos(Math.PI * Math.Min(epoch - 1, TotalEpochs) / TotalEpochs)) / 2);
    }

    private sealed record DelegateSchedule(Func<long, int, double> Rate) : LearningRateSchedule
    {
        public override double RateAt(long step, int epoch, double baseRate) => Rate(step, epoch);
    }
}
