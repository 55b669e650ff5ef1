using System.CommandLine;
using System.Globalization;

using FastBackprop.Training;

namespace FastBackprop.Train;

/// <summary>A bad option value: reported as one line on stderr with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// What one run of the tool does, after the options are parsed and checked. The network's options are null where
/// the command line does not give them: a fresh network takes the defaults (<see cref="TrainOptions.Defaults"/>),
/// a resumed one the checkpoint's, and refuses a given value that differs from it.
/// </summary>
internal sealed record RunSettings(
    int[]? Hidden,
    Activation? Activation,
    LossKind? Loss,
    OptimizerKind? OptimizerKind,
    double? LearningRate,
    ulong? Seed,
    int Batch,
    int Epochs,
    int Threads,
    string? Csv,
    char Delimiter,
    int LabelColumn,
    string? Save,
    string? Resume,
    string? Plot,
    OutputMode Output,
    IReadOnlyList<string> CommandLine);

/// <summary>What the tool prints on standard output.</summary>
internal enum OutputMode
{
    /// <summary>The banner, a progress bar, the tables and the result lines.</summary>
    Normal,

    /// <summary>The result lines only (test loss and accuracy, files written).</summary>
    Quiet,

    /// <summary>One JSON object per epoch, one per line, and nothing else.</summary>
    Json,
}

/// <summary>The tool's options (System.CommandLine) and their translation into <see cref="RunSettings"/>.</summary>
internal sealed class TrainOptions
{
    /// <summary>The network a fresh run builds when its options are not given.</summary>
    public static class Defaults
    {
        public static readonly int[] Hidden = [128];
        public static readonly Activation Activation = Activation.Relu;
        public const LossKind Loss = LossKind.SoftmaxCrossEntropy;
        public const OptimizerKind Optimizer = OptimizerKind.Adam;
        public const ulong Seed = 1;

        public static double LearningRate(OptimizerKind kind) => kind == OptimizerKind.Adam ? 0.003 : 0.1;
    }

    private readonly Option<string> _layers = new("--layers", "-l")
    {
        Description = "Hidden layer widths, comma-separated (e.g. 128 or 256,64; 0 for none). The output layer is sized by the classes. Default 128.",
    };

    private readonly Option<string> _activation = new("--activation", "-a")
    {
        Description = $"Hidden activation: {Vocabulary.ActivationHelp}. Default {Vocabulary.Name(Defaults.Activation)}.",
    };

    private readonly Option<string> _loss = new("--loss")
    {
        Description = $"Loss head: {string.Join(", ", Vocabulary.LossNames)}. The cross-entropies take logits (softmax over the classes; a sigmoid per class, " +
            $"binary cross-entropy with logits); the squared errors compare sigmoid outputs with one-hot rows. Default {Vocabulary.Name(Defaults.Loss)}.",
    };

    private readonly Option<string> _optimizer = new("--optimizer", "-o") { Description = "Optimizer: sgd, momentum, adam. Default adam." };

    private readonly Option<double?> _learningRate = new("--learning-rate", "--lr")
    {
        Description = "Learning rate α (default: 0.003 for adam, 0.1 for sgd and momentum).",
    };

    private readonly Option<ulong?> _seed = new("--seed", "-s") { Description = "Seed of weight initialization and shuffling. Default 1." };

    private readonly Option<int> _batch = new("--batch", "-b") { Description = "Rows per training step.", DefaultValueFactory = _ => 32 };

    private readonly Option<int> _epochs = new("--epochs", "-e") { Description = "Epochs to train (more epochs after --resume).", DefaultValueFactory = _ => 30 };

    private readonly Option<int> _threads = new("--threads", "-t")
    {
        Description = "Threads per matrix multiply (1 = single-threaded, 0 = one per core). Results do not depend on it.",
        DefaultValueFactory = _ => 1,
    };

    private readonly Option<string?> _csv = new("--csv")
    {
        Description = "Train on this CSV file instead of the embedded digits: numeric features, one label column (numbers or names), " +
            "an optional header, quoted fields allowed; 20 % of the rows held out for testing.",
    };

    private readonly Option<string> _delimiter = new("--delimiter", "-d")
    {
        Description = "Field separator of --csv: one character, or 'tab'.",
        DefaultValueFactory = _ => ",",
    };

    private readonly Option<int> _labelColumn = new("--label-column")
    {
        Description = "Zero-based column of the class label in --csv; negative counts from the end (-1 = last).",
        DefaultValueFactory = _ => -1,
    };

    private readonly Option<string?> _save = new("--save") { Description = "Write a checkpoint here after training (atomically; also after Ctrl+C)." };

    private readonly Option<string?> _resume = new("--resume")
    {
        Description = "Continue from this checkpoint: its network, optimizer, seed, preprocessing and history. Network options that differ from it are refused.",
    };

    private readonly Option<string?> _plot = new("--plot") { Description = "Write an SVG of the loss and accuracy curves here." };

    private readonly Option<bool> _quiet = new("--quiet", "-q") { Description = "Print only the result lines: no banner, progress or tables." };

    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object per epoch on standard output, and nothing else." };

    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[_layers, _activation, _loss, _optimizer, _learningRate, _seed, _batch, _epochs, _threads,
            _csv, _delimiter, _labelColumn, _save, _resume, _plot, _quiet, _json])
        {
            command.Add(option);
        }
    }

    public RunSettings Read(ParseResult parse, IReadOnlyList<string> commandLine)
    {
        int[]? hidden = parse.GetValue(_layers) is { } layers ? ParseLayers(layers) : null;
        Activation? activation = parse.GetValue(_activation) is { } name ? Vocabulary.ParseActivation(name, "--activation") : null;
        LossKind? loss = parse.GetValue(_loss) is { } lossName ? Vocabulary.ParseLoss(lossName, "--loss") : null;
        OptimizerKind? kind = parse.GetValue(_optimizer) is { } optimizerName ? Vocabulary.ParseOptimizer(optimizerName, "--optimizer") : null;
        double? learningRate = parse.GetValue(_learningRate);
        if (learningRate is { } rate && !(double.IsFinite(rate) && rate > 0))
        {
            throw new UsageException($"--learning-rate {rate.ToString(CultureInfo.InvariantCulture)} must be a positive number.");
        }

        int batch = Positive(parse.GetValue(_batch), "--batch");
        int epochs = Positive(parse.GetValue(_epochs), "--epochs");
        int threads = parse.GetValue(_threads);
        if (threads < 0)
        {
            throw new UsageException($"--threads {threads} must be 0 (one per core) or positive.");
        }

        bool quiet = parse.GetValue(_quiet);
        bool json = parse.GetValue(_json);
        if (quiet && json)
        {
            throw new UsageException("--quiet and --json exclude each other: --json already prints nothing but the epochs.");
        }

        string? csv = parse.GetValue(_csv);
        if (csv is null && parse.GetResult(_delimiter) is { Implicit: false })
        {
            throw new UsageException("--delimiter applies to --csv, which is not given.");
        }

        return new RunSettings(
            hidden, activation, loss, kind, learningRate, parse.GetValue(_seed), batch, epochs, threads,
            csv, Vocabulary.Delimiter(parse.GetValue(_delimiter) ?? ","), parse.GetValue(_labelColumn),
            parse.GetValue(_save), parse.GetValue(_resume), parse.GetValue(_plot),
            json ? OutputMode.Json : quiet ? OutputMode.Quiet : OutputMode.Normal, commandLine);
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
}
