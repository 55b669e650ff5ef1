namespace FastBackprop.GradCheck.Engine;

/// <summary>The default step and tolerances, and where each comes from.</summary>
public static class Tolerances
{
    /// <summary>ε = 1e−6: PyTorch gradcheck's default step for double.</summary>
    public const double Epsilon = 1e-6;

    /// <summary>atol = 1e−5, rtol = 1e−3: PyTorch gradcheck's defaults for double.</summary>
    public static Tolerance Double { get; } = new(1e-5, 1e-3);

    /// <summary>
    /// The float backward of sums (GEMM, bias add, dense layers) against the double finite differences. Inputs are
    /// O(1); a K-term sum carries ≈ √K·2⁻²⁴·Σ|terms| (K ≤ a few hundred here). Measured worst over every path:
    /// 1.4e−6 absolute (gemm-*, K = 37); the bounds keep a factor ≥ 7 over it.
    /// </summary>
    public static Tolerance Float { get; } = new(1e-5, 1e-4);

    /// <summary>
    /// Whole networks: gradients of a batch-mean loss are 1e−4 … 1e−1, and each is a chain of sums through every
    /// layer. Measured worst over every path: 2.1e−8 absolute, 1.4e−4 relative on values below 1e−4.
    /// </summary>
    public static Tolerance FloatNetwork { get; } = new(1e-6, 1e-3);

    /// <summary>
    /// Elementwise float backward passes: each value is one product <c>dy · f′(x)</c> with f′ to a few ULPs, so the
    /// relative bound is ≈ 100 float ULPs and the absolute one covers f′ near its zeros (GELU′ at x ≈ −0.75).
    /// </summary>
    public static Tolerance FloatElementwise { get; } = new(1e-6, 1e-5);

    /// <summary>
    /// Row-wise float kernels (softmax, log-softmax, losses): a row sum or dot product of N terms per value, so a few
    /// ULPs of the row's scale rather than of each value.
    /// </summary>
    public static Tolerance FloatRowwise { get; } = new(1e-6, 1e-4);

    /// <summary>
    /// Saturated tails, where f′ is as small as 1e−22 and any absolute term would hide a derivative rounded to 0:
    /// purely relative (≈ 8000 float ULPs: the reference's own error at the far end of the range is ≈ 1e−7).
    /// </summary>
    public static Tolerance FloatTail { get; } = new(0, 1e-3);

    /// <summary>
    /// The rounding noise allowed in a central difference: each forward value is taken to carry this many ULPs of
    /// double, so a difference of f(x ± ε) is known to <c>NoiseUlps · 2⁻⁵³ · |G|·|f| / ε</c>.
    /// </summary>
    public const double NoiseUlps = 8;
}
