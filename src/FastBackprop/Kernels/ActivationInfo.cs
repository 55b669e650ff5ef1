using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace FastBackprop;

/// <summary>
/// The registry of activations: one descriptor per <see cref="ActivationKind"/>, which <see cref="Activations.Forward"/>,
/// <see cref="Activations.Backward"/> and <see cref="Activations.BackwardFromOutput"/> dispatch through, and which the
/// trainer and the command-line tools read their names, defaults and capabilities from.
/// </summary>
/// <remarks>
/// <see cref="Name"/> is the kind's name in kebab case (<c>GeluTanh</c> → <c>gelu-tanh</c>, <c>LogSigmoid</c> →
/// <c>log-sigmoid</c>): the one spelling every tool accepts and prints. Each entry carries the activation's kernels,
/// so an activation added here reaches every entry point, the dense layers of <see cref="Training.Mlp{T}"/> and
/// checkpoints without further code.
/// </remarks>
public sealed class ActivationInfo
{
    private static readonly ActivationInfo[] Entries =
    [
        Entry<Activations.IdentityKernels>(ActivationKind.Identity, "identity"),
        Entry<Activations.SigmoidKernels>(ActivationKind.Sigmoid, "sigmoid"),
        Entry<Activations.TanhKernels>(ActivationKind.Tanh, "tanh"),
        Entry<Activations.ReluKernels>(ActivationKind.Relu, "relu", he: true),
        Entry<Activations.LeakyReluKernels>(ActivationKind.LeakyRelu, "leaky-relu", Activation.DefaultLeakyReluAlpha, he: true),
        Entry<Activations.EluKernels>(ActivationKind.Elu, "elu", Activation.DefaultEluAlpha, he: true),
        Entry<Activations.GeluTanhKernels>(ActivationKind.GeluTanh, "gelu-tanh", he: true),
        Entry<Activations.GeluErfKernels>(ActivationKind.GeluErf, "gelu-erf", he: true),
        Entry<Activations.SiluKernels>(ActivationKind.Silu, "silu", he: true),
        Entry<Activations.SoftplusKernels>(ActivationKind.Softplus, "softplus"),
        Entry<Activations.LogSigmoidKernels>(ActivationKind.LogSigmoid, "log-sigmoid"),
    ];

    /// <summary>The entries indexed by kind; the kinds are numbered 0, 1, 2, … without gaps.</summary>
    private static readonly ActivationInfo[] ByKind = IndexByKind(Entries);

    private readonly ActivationKernels<float> _float;
    private readonly ActivationKernels<double> _double;

    private ActivationInfo(
        ActivationKind kind, string name, double? alpha, bool he, ActivationKernels<float> kernelsFloat, ActivationKernels<double> kernelsDouble)
    {
        Kind = kind;
        Name = name;
        UsesAlpha = alpha is not null;
        DefaultAlpha = alpha ?? 0;
        PrefersHeInitialization = he;
        _float = kernelsFloat;
        _double = kernelsDouble;
    }

    /// <summary>Every activation, in the order of <see cref="ActivationKind"/>.</summary>
    public static IReadOnlyList<ActivationInfo> All => Entries;

    /// <summary>The function this entry describes.</summary>
    public ActivationKind Kind { get; }

    /// <summary>The canonical name: the kind in kebab case, e.g. <c>leaky-relu</c>.</summary>
    public string Name { get; }

    /// <summary>Whether the function has a parameter α (LeakyReLU's slope, ELU's saturation); others ignore it.</summary>
    public bool UsesAlpha { get; }

    /// <summary>The α <see cref="Default"/> carries: LeakyReLU 0.01, ELU 1, 0 where α is not used.</summary>
    public double DefaultAlpha { get; }

    /// <summary>
    /// Whether <see cref="Training.Initialization.Auto"/> draws the weights into this activation by He
    /// (<c>r = √(6/n_in)</c>, ReLU-like units that pass about half their input) rather than Xavier.
    /// </summary>
    public bool PrefersHeInitialization { get; }

    /// <summary>This kind with <see cref="DefaultAlpha"/>: what a tool means by <see cref="Name"/> alone.</summary>
    public Activation Default => new(Kind, DefaultAlpha);

    /// <summary>The entry of <paramref name="kind"/>.</summary>
    /// <param name="kind">A defined kind.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a defined value.</exception>
    public static ActivationInfo Of(ActivationKind kind) =>
        TryGet(kind, out ActivationInfo? info)
            ? info
            : throw new ArgumentException($"{kind} is not an {nameof(ActivationKind)} this version knows.", nameof(kind));

    /// <summary>The entry of <paramref name="kind"/>, or false where the kind is not a defined value.</summary>
    /// <param name="kind">Any value.</param>
    /// <param name="info">The entry, or null.</param>
    /// <returns>Whether <paramref name="kind"/> has an entry.</returns>
    public static bool TryGet(ActivationKind kind, [NotNullWhen(true)] out ActivationInfo? info)
    {
        info = (uint)kind < (uint)ByKind.Length ? ByKind[(int)kind] : null;
        return info is not null;
    }

    /// <summary>The entry whose <see cref="Name"/> is <paramref name="name"/>, ignoring case.</summary>
    /// <param name="name">A canonical name such as <c>gelu-erf</c>.</param>
    /// <param name="info">The entry, or null.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string name, [NotNullWhen(true)] out ActivationInfo? info)
    {
        info = Array.Find(Entries, e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
        return info is not null;
    }

    /// <summary>
    /// Whether f′ is a function of y = f(x) for this α, so that <see cref="Activations.BackwardFromOutput"/> accepts it:
    /// Identity, Sigmoid, Tanh, ReLU, and ELU with α &gt; 0 (then y &gt; 0 exactly when x &gt; 0).
    /// </summary>
    /// <param name="alpha">The activation's α.</param>
    /// <returns>Whether the backward from the output exists.</returns>
    public bool SupportsBackwardFromOutput(double alpha) => _double.SupportsBackwardFromOutput(alpha);

    /// <summary>
    /// Whether a training step computes f′(P) with f in its forward pass and keeps it for the backward pass, which
    /// then multiplies by it instead of evaluating f′ again: tanh, whose tanh′ shares tanh's reduction of |x| on every
    /// path (<see cref="Simd.VectorMath.TanhWithDerivative"/>).
    /// </summary>
    internal bool HasSlopeForward => _double.HasSlopeForward;

    /// <summary>The canonical name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;

    /// <summary>This activation's kernels for <typeparamref name="T"/>, which must be float or double (checked by the caller).</summary>
    internal ActivationKernels<T> Kernels<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Debug.Assert(typeof(T) == typeof(float) || typeof(T) == typeof(double));
        return typeof(T) == typeof(float) ? Unsafe.As<ActivationKernels<T>>(_float) : Unsafe.As<ActivationKernels<T>>(_double);
    }

    private static ActivationInfo Entry<TKernels>(ActivationKind kind, string name, double? alpha = null, bool he = false)
        where TKernels : IActivationKernels =>
        new(kind, name, alpha, he, new ActivationKernels<TKernels, float>(), new ActivationKernels<TKernels, double>());

    private static ActivationInfo[] IndexByKind(ActivationInfo[] entries)
    {
        var byKind = new ActivationInfo[entries.Length];
        foreach (ActivationInfo entry in entries)
        {
            byKind[(int)entry.Kind] = entry;
        }

        return byKind;
    }
}

/// <summary>
/// One activation's kernels as the registry calls them: every entry takes α and ignores it where the function has
/// none. The backward from the output exists where <see cref="SupportsBackwardFromOutput"/> says so;
/// <see cref="Activations.BackwardFromOutput"/> checks that before it calls <see cref="BackwardFromOutput"/>.
/// </summary>
internal interface IActivationKernels
{
    /// <summary>y = f(x).</summary>
    static abstract void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>dx = dy ⊙ f′(x).</summary>
    static abstract void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>Whether f′ is a function of y for this α.</summary>
    static virtual bool SupportsBackwardFromOutput(double alpha) => false;

    /// <summary>dx = dy ⊙ f′(f⁻¹(y)), where <see cref="SupportsBackwardFromOutput"/> holds.</summary>
    static virtual void BackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        throw new UnreachableException("Activations.BackwardFromOutput checks SupportsBackwardFromOutput first.");

    /// <summary>
    /// Whether <see cref="AddBiasWithSlope"/> exists: f′ computed in the same pass as f, where the two share work, so
    /// that a training step keeps f′(P) instead of evaluating it again.
    /// </summary>
    static virtual bool HasSlopeForward => false;

    /// <summary>
    /// <c>P[r, :] += b</c> (none where b is empty; stored back only with <paramref name="keepP"/>), <c>Z = f(P)</c>,
    /// <c>S = f′(P)</c> over <c>[rows × cols]</c>, with the bits of the bias add, <see cref="Forward"/> and
    /// <see cref="Backward"/> at dy = 1; where <see cref="HasSlopeForward"/> holds.
    /// </summary>
    static virtual void AddBiasWithSlope<T>(ReadOnlySpan<T> bias, int rows, int cols, Span<T> p, bool keepP, T alpha, Span<T> z, Span<T> slope)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        throw new UnreachableException("The training forward checks HasSlopeForward first.");
}

/// <summary>One activation's kernels for one element type: a virtual call on the registry's entry, no generic virtual methods.</summary>
internal abstract class ActivationKernels<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public abstract bool SupportsBackwardFromOutput(double alpha);

    public abstract void Forward(ReadOnlySpan<T> x, T alpha, Span<T> y);

    public abstract void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx);

    public abstract void BackwardFromOutput(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx);

    public abstract bool HasSlopeForward { get; }

    public abstract void AddBiasWithSlope(ReadOnlySpan<T> bias, int rows, int cols, Span<T> p, bool keepP, T alpha, Span<T> z, Span<T> slope);
}

/// <summary><typeparamref name="TKernels"/>'s static kernels, instantiated for <typeparamref name="T"/>.</summary>
internal sealed class ActivationKernels<TKernels, T> : ActivationKernels<T>
    where TKernels : IActivationKernels
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override bool SupportsBackwardFromOutput(double alpha) => TKernels.SupportsBackwardFromOutput(alpha);

    public override void Forward(ReadOnlySpan<T> x, T alpha, Span<T> y) => TKernels.Forward(x, alpha, y);

    public override void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx) => TKernels.Backward(x, dy, alpha, dx);

    public override void BackwardFromOutput(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx) => TKernels.BackwardFromOutput(y, dy, alpha, dx);

    public override bool HasSlopeForward => TKernels.HasSlopeForward;

    public override void AddBiasWithSlope(ReadOnlySpan<T> bias, int rows, int cols, Span<T> p, bool keepP, T alpha, Span<T> z, Span<T> slope) =>
        TKernels.AddBiasWithSlope(bias, rows, cols, p, keepP, alpha, z, slope);
}
