namespace FastBackprop;

/// <summary>The activation functions <see cref="Activations.Forward"/> and its backward entries dispatch on; <see cref="ActivationInfo.All"/> describes each.</summary>
/// <remarks>Checkpoints store a kind as its number: a new kind is appended, and no value is ever renumbered.</remarks>
public enum ActivationKind
{
    /// <summary><c>f(x) = x</c>.</summary>
    Identity = 0,

    /// <summary><c>f(x) = σ(x) = 1/(1 + e⁻ˣ)</c>.</summary>
    Sigmoid = 1,

    /// <summary><c>f(x) = tanh(x)</c>.</summary>
    Tanh = 2,

    /// <summary><c>f(x) = max(0, x)</c>.</summary>
    Relu = 3,

    /// <summary><c>f(x) = x &gt; 0 ? x : α·x</c>.</summary>
    LeakyRelu = 4,

    /// <summary><c>f(x) = x &gt; 0 ? x : α·(eˣ − 1)</c>.</summary>
    Elu = 5,

    /// <summary>GELU, tanh approximation: <c>½x·(1 + tanh(√(2/π)·(x + 0.044715x³)))</c>.</summary>
    GeluTanh = 6,

    /// <summary>GELU, exact: <c>x·Φ(x) = ½x·erfc(−x/√2)</c>.</summary>
    GeluErf = 7,

    /// <summary><c>f(x) = x·σ(x)</c>.</summary>
    Silu = 8,

    /// <summary><c>f(x) = ln(1 + eˣ)</c>.</summary>
    Softplus = 9,

    /// <summary><c>f(x) = ln σ(x) = −ln(1 + e⁻ˣ)</c>.</summary>
    LogSigmoid = 10,
}

/// <summary>An activation function and its parameter α (used by <see cref="ActivationKind.LeakyRelu"/> and <see cref="ActivationKind.Elu"/>, ignored otherwise).</summary>
/// <param name="Kind">Which function.</param>
/// <param name="Alpha">LeakyReLU's negative slope or ELU's saturation value; converted to the element type when applied.</param>
public readonly record struct Activation(ActivationKind Kind, double Alpha)
{
    /// <summary><c>f(x) = x</c>.</summary>
    public static Activation Identity => new(ActivationKind.Identity, 0);

    /// <summary><c>f(x) = σ(x)</c>.</summary>
    public static Activation Sigmoid => new(ActivationKind.Sigmoid, 0);

    /// <summary><c>f(x) = tanh(x)</c>.</summary>
    public static Activation Tanh => new(ActivationKind.Tanh, 0);

    /// <summary><c>f(x) = max(0, x)</c>.</summary>
    public static Activation Relu => new(ActivationKind.Relu, 0);

    /// <summary>GELU, tanh approximation.</summary>
    public static Activation GeluTanh => new(ActivationKind.GeluTanh, 0);

    /// <summary>GELU, exact (erf).</summary>
    public static Activation GeluErf => new(ActivationKind.GeluErf, 0);

    /// <summary><c>f(x) = x·σ(x)</c>.</summary>
    public static Activation Silu => new(ActivationKind.Silu, 0);

    /// <summary><c>f(x) = ln(1 + eˣ)</c>.</summary>
    public static Activation Softplus => new(ActivationKind.Softplus, 0);

    /// <summary><c>f(x) = ln σ(x)</c>.</summary>
    public static Activation LogSigmoid => new(ActivationKind.LogSigmoid, 0);

    /// <summary>
    /// Whether <see cref="Activations.BackwardFromOutput"/> accepts this activation: f′ is a function of y = f(x)
    /// (Identity, Sigmoid, Tanh, ReLU, and ELU with α &gt; 0), as <see cref="ActivationInfo.SupportsBackwardFromOutput"/> says.
    /// </summary>
    public bool SupportsBackwardFromOutput =>
        ActivationInfo.TryGet(Kind, out ActivationInfo? info) && info.SupportsBackwardFromOutput(Alpha);

    /// <summary><c>f(x) = x &gt; 0 ? x : α·x</c>.</summary>
    /// <param name="alpha">The slope for x ≤ 0.</param>
    public static Activation LeakyRelu(double alpha = DefaultLeakyReluAlpha) => new(ActivationKind.LeakyRelu, alpha);

    /// <summary><c>f(x) = x &gt; 0 ? x : α·(eˣ − 1)</c>.</summary>
    /// <param name="alpha">The value f approaches as x → −∞, negated.</param>
    public static Activation Elu(double alpha = DefaultEluAlpha) => new(ActivationKind.Elu, alpha);

    /// <summary>LeakyReLU's usual slope, the default of <see cref="LeakyRelu"/> and its <see cref="ActivationInfo.DefaultAlpha"/>.</summary>
    internal const double DefaultLeakyReluAlpha = 0.01;

    /// <summary>ELU's usual α, the default of <see cref="Elu"/> and its <see cref="ActivationInfo.DefaultAlpha"/>.</summary>
    internal const double DefaultEluAlpha = 1.0;
}
