using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// One activation under test, run through the registry's entry points (<see cref="Activations.Forward"/>,
/// <see cref="Activations.Backward"/>): its double reference and derivative, and the size of the terms its
/// derivative sums (the scale a derivative's rounding error is measured against where the terms cancel).
/// </summary>
public sealed record ActivationCase(
    Activation Activation,
    Func<double, double> Function,
    Func<double, double> Derivative,
    Func<double, double> DerivativeScale,
    double FloatBound,
    double DoubleBound)
{
    /// <summary>The kind's name, as the tests and <c>tools/ulpsweep</c> print it.</summary>
    public string Name => Activation.Kind.ToString();

    public void ForwardFloat(ReadOnlySpan<float> x, Span<float> y) => Activations.Forward(Activation, x, y);

    public void ForwardDouble(ReadOnlySpan<double> x, Span<double> y) => Activations.Forward(Activation, x, y);

    public void BackwardFloat(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Activations.Backward(Activation, x, dy, dx);

    public void BackwardDouble(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx) => Activations.Backward(Activation, x, dy, dx);

    public override string ToString() => Name;
}

/// <summary>The table every activation test runs over.</summary>
public static class ActivationCases
{
    private const double EluAlpha = 1.5;
    private const double LeakyAlpha = 0.25; // exact in float and double, so one reference serves both

    /// <summary>
    /// One row per <see cref="ActivationInfo"/> entry (<see cref="RegistryTests"/> fails for an entry without one), also
    /// the ops <c>tools/ulpsweep</c> sweeps. Float bounds: the maxima of <c>tools/ulpsweep</c> over all 2³² floats on
    /// AVX-512 and AVX2 (sigmoid 2.48, tanh 2.50, softplus and log-sigmoid 3.33, SiLU 1.67, tanh-GELU 1.96, exact GELU
    /// 2.19, ELU 1.50) and of its sweep of every 64th float on the paths without FMA (tanh-GELU 2.06, exact GELU 2.04,
    /// SiLU 1.73), plus a margin. Double bounds: measured against the double references, whose own error (a few ULP
    /// where built from exp/log) is why they exceed the float ones; <see cref="DoubleAccuracyTests"/> measures the
    /// double kernels against exact values.
    /// </summary>
    public static IReadOnlyList<ActivationCase> All { get; } =
    [
        Case(Activation.Identity, x => x, _ => 1, 0, 0),
        Case(Activation.Sigmoid, Reference.Sigmoid, Reference.SigmoidDerivative, 3, 4),
        Case(Activation.Tanh, Reference.Tanh, Reference.TanhDerivative, 3, 4),
        Case(Activation.Relu, Reference.Relu, x => x > 0 ? 1 : 0, 0, 0),
        Case(Activation.LeakyRelu(LeakyAlpha), x => x > 0 ? x : LeakyAlpha * x, x => x > 0 ? 1 : LeakyAlpha, 0.5, 0.5),
        Case(Activation.Elu(EluAlpha), x => Reference.Elu(x, EluAlpha), x => Reference.EluDerivative(x, EluAlpha), 2.5, 4),
        Case(Activation.GeluTanh, Reference.GeluTanh, Reference.GeluTanhDerivative, 2.5, 4, Reference.GeluTanhDerivativeScale),
        Case(Activation.GeluErf, Reference.GeluErf, Reference.GeluErfDerivative, 2.5, 6.5, Reference.GeluErfDerivativeScale),
        Case(Activation.Silu, Reference.Silu, Reference.SiluDerivative, 2.5, 4, Reference.SiluDerivativeScale),
        Case(Activation.Softplus, Reference.Softplus, Reference.Sigmoid, 3.5, 4),
        Case(Activation.LogSigmoid, Reference.LogSigmoid, x => Reference.Sigmoid(-x), 3.5, 4),
    ];

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    public static ActivationCase Get(string name) => All.Single(c => c.Name == name);

    private static ActivationCase Case(
        Activation activation, Func<double, double> function, Func<double, double> derivative, double floatBound, double doubleBound, Func<double, double>? scale = null) =>
        new(activation, function, derivative, scale ?? (x => Math.Abs(derivative(x))), floatBound, doubleBound);
}
