using System.Diagnostics.CodeAnalysis;

namespace FastBackprop.Training;

/// <summary>
/// The registry of loss heads: one descriptor per <see cref="LossKind"/>, which <see cref="MlpArchitecture"/>, the
/// trainer and the command-line tools read their names and properties from.
/// </summary>
/// <remarks>
/// Names: a squared error is the function, then its reduction over the batch (<c>squared-error-sum</c>,
/// <c>squared-error-half-sum</c>, <c>squared-error-mean</c>); a cross-entropy head is the function that turns the
/// logits into probabilities, then <c>cross-entropy</c> (<c>softmax-cross-entropy</c>, <c>sigmoid-cross-entropy</c>,
/// the latter binary cross-entropy with logits), each a mean over the batch. They are the one spelling every tool
/// accepts and prints.
/// </remarks>
public sealed class LossInfo
{
    private static readonly LossInfo[] Entries =
    [
        new(LossKind.SquaredErrorSum, "squared-error-sum", takesLogits: false, isMean: false),
        new(LossKind.HalfSquaredErrorSum, "squared-error-half-sum", takesLogits: false, isMean: false),
        new(LossKind.MeanSquaredError, "squared-error-mean", takesLogits: false, isMean: true),
        new(LossKind.SoftmaxCrossEntropy, "softmax-cross-entropy", takesLogits: true, isMean: true),
        new(LossKind.SigmoidCrossEntropy, "sigmoid-cross-entropy", takesLogits: true, isMean: true),
    ];

    /// <summary>The entries indexed by kind; the kinds are numbered 0, 1, 2, … without gaps.</summary>
    private static readonly LossInfo[] ByKind = IndexByKind(Entries);

    private LossInfo(LossKind kind, string name, bool takesLogits, bool isMean)
    {
        Kind = kind;
        Name = name;
        TakesLogits = takesLogits;
        IsMean = isMean;
    }

    /// <summary>Every loss head, in the order of <see cref="LossKind"/>.</summary>
    public static IReadOnlyList<LossInfo> All => Entries;

    /// <summary>The head this entry describes.</summary>
    public LossKind Kind { get; }

    /// <summary>The canonical name, e.g. <c>squared-error-mean</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether the last layer's output is logits that the head turns into probabilities itself (softmax or sigmoid),
    /// so that layer's activation must be <see cref="ActivationKind.Identity"/>.
    /// </summary>
    public bool TakesLogits { get; }

    /// <summary>Whether J is a mean over the batch (else a sum over its rows).</summary>
    public bool IsMean { get; }

    /// <summary>The entry of <paramref name="kind"/>.</summary>
    /// <param name="kind">A defined kind.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a defined value.</exception>
    public static LossInfo Of(LossKind kind) =>
        TryGet(kind, out LossInfo? info)
            ? info
            : throw new ArgumentException($"{kind} is not a {nameof(LossKind)} this version knows.", nameof(kind));

    /// <summary>The entry of <paramref name="kind"/>, or false where the kind is not a defined value.</summary>
    /// <param name="kind">Any value.</param>
    /// <param name="info">The entry, or null.</param>
    /// <returns>Whether <paramref name="kind"/> has an entry.</returns>
    public static bool TryGet(LossKind kind, [NotNullWhen(true)] out LossInfo? info)
    {
        // Indexed, not searched: the trainer asks once per batch, and a search's predicate would allocate.
        info = (uint)kind < (uint)ByKind.Length ? ByKind[(int)kind] : null;
        return info is not null;
    }

    /// <summary>The entry whose <see cref="Name"/> is <paramref name="name"/>, ignoring case.</summary>
    /// <param name="name">A canonical name such as <c>softmax-cross-entropy</c>.</param>
    /// <param name="info">The entry, or null.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string name, [NotNullWhen(true)] out LossInfo? info)
    {
        info = Array.Find(Entries, e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
        return info is not null;
    }

    /// <summary>The canonical name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;

    private static LossInfo[] IndexByKind(LossInfo[] entries)
    {
        var byKind = new LossInfo[entries.Length];
        foreach (LossInfo entry in entries)
        {
            byKind[(int)entry.Kind] = entry;
        }

        return byKind;
    }
}
