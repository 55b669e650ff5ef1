using System.CommandLine;
using System.Globalization;

using FastBackprop.Training;

namespace FastBackprop.Train;

/// <summary>A bad option value: reported as one line on stderr with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>What one run of the tool does, after the options are parsed and checked.</summary>
internal sealed record RunSettings(
    int[] Hidden,
    Activation Activation,
    LossKind Loss,
    OptimizerSettings Optimizer,
    int Batch,
    int Epochs,
    ulong Seed,
    int Threads,
    string? Csv,
    int LabelColumn,
    string? Save,
    string? Resume,
    string? Plot);

/// <summary>The tool's options (System.CommandLine) and their translation into <see cref="RunSettings"/>.</summary>
internal sealed class TrainOptions
{
    private readonly Option<string> _layers = new("--layers", "-l")
    {
        Description = "Hidden layer widths, comma-separated (e.g. 128 or 256,64). The output layer is sized by the classes.",
        DefaultValueFactory = _ => "128",
    };

    private readonly Option<string> _activation = new("--activation", "-a")
    {
        Description = "Hidden activation: identity, sigmoid, tanh, relu, leaky-relu, elu, gelu, gelu-erf, silu, softplus.",
        DefaultValueFactory = _ => "relu",
    };

    private readonly Option<string> _loss = new("--loss")
    {
        Description = "Loss head: softmax-ce (softmax + cross-entropy), sigmoid-bce (sigmoid + binary cross-entropy with logits), " +
            "mse (mean squared error on sigmoid outputs), sse (seed 002's Σ(z−y)² on sigmoid outputs).",
        DefaultValueFactory = _ => "softmax-ce",
    };

    private readonly Option<string> _optimizer = new("--optimizer", "-o")
    {
        Description = "Optimizer: sgd, momentum, adam.",
        DefaultValueFactory = _ => "adam",
    };

    private readonly Option<double?> _learningRate = new("--learning-rate", "--lr")
    {
        Description = "Learning rate α (default: 0.003 for adam, 0.1 for sgd and momentum).",
    };

    private readonly Option<int> _batch = new("--batch", "-b") { Description = "Rows per training step.", DefaultValueFactory = _ => 32 };

    private readonly Option<int> _epochs = new("--epochs", "-e") { Description = "Epochs to train (more epochs after --resume).", DefaultValueFactory = _ => 30 };

    private readonly Option<ulong> _seed = new("--seed", "-s") { Description = "Seed of weight initialization and shuffling.", DefaultValueFactory = _ => 1 };

    private readonly Option<int> _threads = new("--threads", "-t")
    {
        Description = "Threads per matrix multiply (1 = single-threaded, 0 = all cores). Results do not depend on it.",
        DefaultValueFactory = _ => 1,
    };

    private readonly Option<string?> _csv = new("--csv")
    {
        Description = "Train on this CSV file instead of the embedded digits (numbers, one row per line, optional header; 20 % held out for testing).",
    };

    private readonly Option<int> _labelColumn = new("--label-column")
    {
        Description = "Zero-based column of the class label in --csv; negative counts from the end (-1 = last).",
        DefaultValueFactory = _ => -1,
    };

    private readonly Option<string?> _save = new("--save") { Description = "Write a checkpoint here after training (atomically)." };

    private readonly Option<string?> _resume = new("--resume") { Description = "Continue from this checkpoint (its network and optimizer)." };

    private readonly Option<string?> _plot = new("--plot") { Description = "Write a PNG of the loss and accuracy curves here." };

    public void AddTo(Command command)
    {
        command.Add(_layers);
        command.Add(_activation);
        command.Add(_loss);
        command.Add(_optimizer);
        command.Add(_learningRate);
        command.Add(_batch);
        command.Add(_epochs);
        command.Add(_seed);
        command.Add(_threads);
        command.Add(_csv);
        command.Add(_labelColumn);
        command.Add(_save);
        command.Add(_resume);
        command.Add(_plot);
    }

    public RunSettings Read(ParseResult parse)
    {
        int[] hidden = ParseLayers(parse.GetValue(_layers) ?? "");
        Activation activation = ParseActivation(parse.GetValue(_activation) ?? "");
        LossKind loss = (parse.GetValue(_loss) ?? "").ToLowerInvariant() switch
        {
            "softmax-ce" => LossKind.SoftmaxCrossEntropy,
            "sigmoid-bce" => LossKind.SigmoidCrossEntropy,
            "mse" => LossKind.MeanSquaredError,
            "sse" => LossKind.SquaredErrorSum,
            string other => throw new UsageException($"--loss '{other}' is not one of softmax-ce, sigmoid-bce, mse, sse."),
        };
        OptimizerKind kind = (parse.GetValue(_optimizer) ?? "").ToLowerInvariant() switch
        {
            "sgd" => OptimizerKind.Sgd,
            "momentum" => OptimizerKind.Momentum,
            "adam" => OptimizerKind.Adam,
            string other => throw new UsageException($"--optimizer '{other}' is not one of sgd, momentum, adam."),
        };
        double learningRate = parse.GetValue(_learningRate) ?? (kind == OptimizerKind.Adam ? 0.003 : 0.1);
        if (!(double.IsFinite(learningRate) && learningRate > 0))
        {
            throw new UsageException($"--learning-rate {learningRate.ToString(CultureInfo.InvariantCulture)} must be a positive number.");
        }

        int batch = Positive(parse.GetValue(_batch), "--batch");
        int epochs = Positive(parse.GetValue(_epochs), "--epochs");
        int threads = parse.GetValue(_threads);
        if (threads < 0)
        {
            throw new UsageException($"--threads {threads} must be 0 (all cores) or positive.");
        }

        return new RunSettings(
            hidden, activation, loss, new OptimizerSettings(kind, learningRate), batch, epochs, parse.GetValue(_seed), threads,
            parse.GetValue(_csv), parse.GetValue(_labelColumn), parse.GetValue(_save), parse.GetValue(_resume), parse.GetValue(_plot));
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new UsageException($"{name} {value} must be positive.");

    private static int[] ParseLayers(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "0")
        {
            return [];
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0 || widths[i] > 1 << 20)
            {
                throw new UsageException($"--layers '{text}': '{parts[i]}' is not a layer width between 1 and {1 << 20}.");
            }
        }

        return widths;
    }

    private static Activation ParseActivation(string text) => text.ToLowerInvariant() switch
    {
        "identity" => Activation.Identity,
        "sigmoid" => Activation.Sigmoid,
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        "leaky-relu" => Activation.LeakyRelu(0.01),
        "elu" => Activation.Elu(1.0),
        "gelu" => Activation.GeluTanh,
        "gelu-erf" => Activation.GeluErf,
        "silu" => Activation.Silu,
        "softplus" => Activation.Softplus,
        _ => throw new UsageException($"--activation '{text}' is not one of identity, sigmoid, tanh, relu, leaky-relu, elu, gelu, gelu-erf, silu, softplus."),
    };
}
