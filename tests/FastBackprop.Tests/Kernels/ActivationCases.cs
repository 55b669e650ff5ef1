using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>A forward over spans, as the public API has it.</summary>
public delegate void ForwardKernel<T>(ReadOnlySpan<T> x, Span<T> y);

/// <summary>A backward over spans, as the public API has it.</summary>
public delegate void BackwardKernel<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx);

/// <summary>
/// One activation under test: its kernels, its double reference and derivative, and the size of the terms its
/// derivative sums (the scale a derivative's rounding error is measured against where the terms cancel).
/// </summary>
public sealed record ActivationCase(
    string Name,
    ForwardKernel<float> ForwardFloat,
    ForwardKernel<double> ForwardDouble,
    BackwardKernel<float> BackwardFloat,
    BackwardKernel<double> BackwardDouble,
    Func<double, double> Function,
    Func<double, double> Derivative,
    Func<double, double> DerivativeScale,
    double FloatBound,
    double DoubleBound)
{
    public override string ToString() => Name;
}

/// <summary>The table every activation test runs over.</summary>
public static class ActivationCases
{
    private const double EluAlpha = 1.5;
    private const double LeakyAlpha = 0.25; // exact in float and double, so one reference serves both

    /// <summary>
    /// Float bounds: the maxima of <c>tools/ulpsweep</c> over all 2³² floats on AVX-512 and AVX2 (sigmoid 2.48, tanh
    /// 2.50, softplus and log-sigmoid 3.33, SiLU 1.67, tanh-GELU 1.96, exact GELU 2.19, ELU 1.50) and of its sweep of
    /// every 64th float on the paths without FMA (tanh-GELU 2.06, exact GELU 2.04, SiLU 1.73), plus a margin. Double
    /// bounds: measured against the double references, whose own error (a few ULP where built from exp/log) is why
    /// they exceed the float ones; <see cref="DoubleAccuracyTests"/> measures the double kernels against exact values.
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
        new(
            "LogSigmoid",
            Activations.LogSigmoid,
            Activations.LogSigmoid,
            Activations.LogSigmoidBackward,
            Activations.LogSigmoidBackward,
            Reference.LogSigmoid,
            x => Reference.Sigmoid(-x),
            x => Math.Abs(Reference.Sigmoid(-x)),
            3.5,
            4),
    ];

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    public static ActivationCase Get(string name) => All.Single(c => c.Name == name);

    private static ActivationCase Case(
        Activation activation, Func<double, double> function, Func<double, double> derivative, double floatBound, double doubleBound, Func<double, double>? scale = null) =>
        new(
            activation.Kind.ToString(),
            (x, y) => Activations.Forward(activation, x, y),
            (x, y) => Activations.Forward(activation, x, y),
            (x, dy, dx) => Activations.Backward(activation, x, dy, dx),
            (x, dy, dx) => Activations.Backward(activation, x, dy, dx),
            function,
            derivative,
            scale ?? (x => Math.Abs(derivative(x))),
            floatBound,
            doubleBound);
}
