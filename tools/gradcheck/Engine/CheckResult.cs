namespace FastBackprop.GradCheck.Engine;

/// <summary>One row of the report: a kernel checked in one dtype on one SIMD path.</summary>
public sealed record CheckResult
{
    public required string Kernel { get; init; }

    public required string Group { get; init; }

    /// <summary><c>double</c> or <c>float</c>.</summary>
    public required string Dtype { get; init; }

    /// <summary>The path-table row the kernels ran on, by name (<c>scalar-nofma</c> … <c>vector512</c>, <see cref="SimdInfo.PathNames"/>).</summary>
    public required string Path { get; init; }

    /// <summary><c>jacobian</c>: every input element against its own central difference; <c>directional</c>: <c>vᵀ(J·u)</c> against <c>(vᵀJ)·u</c>.</summary>
    public string Mode { get; init; } = "jacobian";

    /// <summary>How many gradient values were compared.</summary>
    public int Compared { get; init; }

    /// <summary>max |a − n| over the compared values (a: analytic, n: numeric).</summary>
    public double MaxAbs { get; init; }

    /// <summary>max |a − n| / |n| over the compared values with n ≠ 0.</summary>
    public double MaxRel { get; init; }

    /// <summary>max |a − n| / tolerance: below 1 passes.</summary>
    public double Worst { get; init; }

    public double Atol { get; init; }

    public double Rtol { get; init; }

    public double Epsilon { get; init; }

    /// <summary>Largest error of the float forward against the double forward, in float ULPs (float rows only).</summary>
    public double? ForwardUlp { get; init; }

    public double? ForwardUlpLimit { get; init; }

    /// <summary>Backward run twice on the same inputs gave bit-identical gradients.</summary>
    public bool Reentrant { get; init; } = true;

    /// <summary>A zero upstream gradient gave an all-zero gradient.</summary>
    public bool ZeroUpstream { get; init; } = true;

    public bool Passed { get; init; }

    /// <summary>Why the row failed; empty when it passed.</summary>
    public string Reason { get; init; } = "";

    public string Note { get; init; } = "";
}
