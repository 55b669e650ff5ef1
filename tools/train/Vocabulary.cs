using FastBackprop.Training;

namespace FastBackprop.Train;

/// <summary>The command line's names for activations, loss heads, optimizers and delimiters, both ways.</summary>
internal static class Vocabulary
{
    private static readonly (string Name, Activation Activation)[] Activations =
    [
        ("identity", FastBackprop.Activation.Identity),
        ("sigmoid", FastBackprop.Activation.Sigmoid),
        ("tanh", FastBackprop.Activation.Tanh),
        ("relu", FastBackprop.Activation.Relu),
        ("leaky-relu", FastBackprop.Activation.LeakyRelu(0.01)),
        ("elu", FastBackprop.Activation.Elu(1.0)),
        ("gelu", FastBackprop.Activation.GeluTanh),
        ("gelu-erf", FastBackprop.Activation.GeluErf),
        ("silu", FastBackprop.Activation.Silu),
        ("softplus", FastBackprop.Activation.Softplus),
    ];

    private static readonly (string Name, LossKind Loss)[] Losses =
    [
        ("softmax-ce", LossKind.SoftmaxCrossEntropy),
        ("sigmoid-bce", LossKind.SigmoidCrossEntropy),
        ("mse", LossKind.MeanSquaredError),
        ("sse", LossKind.SquaredErrorSum),
    ];

    private static readonly (string Name, OptimizerKind Kind)[] Optimizers =
    [
        ("sgd", OptimizerKind.Sgd),
        ("momentum", OptimizerKind.Momentum),
        ("adam", OptimizerKind.Adam),
    ];

    public static IEnumerable<string> ActivationNames => Activations.Select(a => a.Name);

    public static Activation ParseActivation(string text, string option) =>
        Find(Activations, text, option).Value;

    public static LossKind ParseLoss(string text, string option) => Find(Losses, text, option).Value;

    public static OptimizerKind ParseOptimizer(string text, string option) => Find(Optimizers, text, option).Value;

    /// <summary>The command line's name of <paramref name="activation"/>, or its kind and α where it has none.</summary>
    public static string Name(Activation activation) =>
        Activations.FirstOrDefault(a => a.Activation == activation).Name ?? activation.ToString();

    public static string Name(LossKind loss) => Losses.FirstOrDefault(l => l.Loss == loss).Name ?? loss.ToString();

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
