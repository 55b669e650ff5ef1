using FastBackprop.Training;

namespace FastBackprop.Train;

/// <summary>
/// The command line's names for activations, loss heads, optimizers and delimiters, both ways. Activations and loss
/// heads are the library's registries (<see cref="ActivationInfo"/>, <see cref="LossInfo"/>): the one vocabulary
/// <c>gradcheck</c> speaks too.
/// </summary>
internal static class Vocabulary
{
    private static readonly (string Name, OptimizerKind Kind)[] Optimizers =
    [
        ("sgd", OptimizerKind.Sgd),
        ("momentum", OptimizerKind.Momentum),
        ("adam", OptimizerKind.Adam),
    ];

    public static IEnumerable<string> ActivationNames => ActivationInfo.All.Select(a => a.Name);

    public static IEnumerable<string> LossNames => LossInfo.All.Select(l => l.Name);

    /// <summary>The activation names for <c>--help</c>, each with the α it stands for where it has one: <c>elu (α = 1)</c>.</summary>
    public static string ActivationHelp =>
        string.Join(", ", ActivationInfo.All.Select(a => a.UsesAlpha ? FormattableString.Invariant($"{a.Name} (α = {a.DefaultAlpha})") : a.Name));

    /// <summary>The activation <paramref name="text"/> names, with its registry default α.</summary>
    public static Activation ParseActivation(string text, string option) =>
        ActivationInfo.TryParse(text, out ActivationInfo? info)
            ? info.Default
            : throw new UsageException($"{option} '{text}' is not one of {string.Join(", ", ActivationNames)}.");

    public static LossKind ParseLoss(string text, string option) =>
        LossInfo.TryParse(text, out LossInfo? info)
            ? info.Kind
            : throw new UsageException($"{option} '{text}' is not one of {string.Join(", ", LossNames)}.");

    public static OptimizerKind ParseOptimizer(string text, string option) => Find(Optimizers, text, option).Value;

    /// <summary>The registry name of <paramref name="activation"/>, with its α where that is not the default (<c>elu(α=0.5)</c>).</summary>
    public static string Name(Activation activation) =>
        !ActivationInfo.TryGet(activation.Kind, out ActivationInfo? info) ? activation.ToString()
        : activation == info.Default ? info.Name
        : FormattableString.Invariant($"{info.Name}(α={activation.Alpha})");

    public static string Name(LossKind loss) => LossInfo.TryGet(loss, out LossInfo? info) ? info.Name : loss.ToString();

    public static string Name(OptimizerKind kind) => Optimizers.FirstOrDefault(o => o.Kind == kind).Name ?? kind.ToString();

    /// <summary>One character, or the word <c>tab</c>.</summary>
    public static char Delimiter(string text) => text switch
    {
        "tab" or "\\t" or "\t" => '\t',
        { Length: 1 } when text[0] is not ('"' or '\r' or '\n') => text[0],
        _ => throw new UsageException($"--delimiter '{text}' must be one character other than a quote or a line break, or 'tab'."),
    };

    private static (string Name, TValue Value) Find<TValue>((string Name, TValue Value)[] table, string text, string option)
    {
        foreach ((string name, TValue value) in table)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return (name, value);
            }
        }

        throw new UsageException($"{option} '{text}' is not one of {string.Join(", ", table.Select(t => t.Name))}.");
    }
}
