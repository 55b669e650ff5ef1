namespace FastBackprop.GradCheck.Engine;

/// <summary>What a run checks and how strictly: the command line's options after validation.</summary>
public sealed record CheckSettings
{
    /// <summary>Seeds the upstream gradients and the directions of the directional check (inputs are seeded by their case).</summary>
    public int Seed { get; init; } = 1;

    public double Epsilon { get; init; } = Tolerances.Epsilon;

    public Tolerance DoubleTolerance { get; init; } = Tolerances.Double;

    /// <summary>Overrides every case's own float atol when set.</summary>
    public double? FloatAtol { get; init; }

    /// <summary>Overrides every case's own float rtol when set.</summary>
    public double? FloatRtol { get; init; }

    /// <summary>Check every case by one directional difference instead of its full Jacobian.</summary>
    public bool Fast { get; init; }

    public bool CheckDouble { get; init; } = true;

    public bool CheckFloat { get; init; } = true;
}
