namespace FastBackprop.GradCheck.Engine;

/// <summary>One named input of a check: its values (rounded to float by the checker) and whether it is differentiated.</summary>
public sealed record Tensor(string Name, double[] Values, bool Differentiable = true);

/// <summary>An element passes when <c>|a − n| ≤ Atol + Rtol·|n| + noise</c> (noise: the finite difference's own rounding).</summary>
public readonly record struct Tolerance(double Atol, double Rtol)
{
    public override string ToString() => $"{Format(Atol)} + {Format(Rtol)}·|n|";

    private static string Format(double value) =>
        value == 0 ? "0" : value.ToString("0.#e0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A kernel checked on one set of inputs: the op, its inputs, and the tolerances that are particular to it.
/// </summary>
public sealed record CheckCase
{
    /// <summary>The row's name (<c>sigmoid</c>, <c>gemm-nt</c>, <c>softmax-ce</c>); <c>--kernel</c> selects by it or by its <see cref="Group"/>.</summary>
    public required string Kernel { get; init; }

    /// <summary>The family (<c>activations</c>, <c>softmax</c>, <c>losses</c>, <c>gemm</c>, <c>layers</c>, <c>network</c>).</summary>
    public required string Group { get; init; }

    public required GradOp Op { get; init; }

    public required IReadOnlyList<Tensor> Inputs { get; init; }

    public required int OutputLength { get; init; }

    /// <summary>What the inputs are (range, shape, hard places), shown in the report.</summary>
    public string Note { get; init; } = "";

    /// <summary>
    /// The double function whose finite differences are the reference, where the kernel's own double output cannot
    /// resolve the derivative (σ(x) rounds to 1 past x ≈ 36.7 in double, so σ′(50) is taken from −σ(−x), which
    /// has the same derivative). Null: the op's own double forward.
    /// </summary>
    public Action<IReadOnlyList<double[]>, double[]>? Reference { get; init; }

    /// <summary>The finite-difference step for this case; null: the run's ε (<c>--eps</c>).</summary>
    public double? Epsilon { get; init; }

    /// <summary>Tolerance of the float backward against the double finite differences.</summary>
    public Tolerance FloatTolerance { get; init; } = Tolerances.Float;

    /// <summary>Largest error of the float forward against the double forward, in float ULPs; null: reported only.</summary>
    public double? ForwardUlpLimit { get; init; }

    /// <summary>
    /// Measure the float forward in ULPs of the largest output rather than of each output: for sums (GEMM, layers)
    /// whose outputs can cancel to near 0, where a per-value ULP measures the cancellation, not the kernel.
    /// </summary>
    public bool ForwardUlpOfLargest { get; init; }

    /// <summary>Checked by one directional difference whatever the mode (shapes whose full Jacobian is too costly).</summary>
    public bool AlwaysFast { get; init; }
}
