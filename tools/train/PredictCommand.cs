using System.CommandLine;
using System.Globalization;

using FastBackprop.Training;

using nietras.SeparatedValues;

namespace FastBackprop.Train;

/// <summary>
/// <c>train predict</c>: runs a checkpoint as an inference-only model over the rows of a CSV file and writes, per
/// row, the predicted class name and each class's probability; with a label column, also the accuracy.
/// </summary>
internal sealed class PredictCommand
{
    private readonly Option<string> _model = new("--model", "-m") { Description = "The checkpoint to run (written by train --save).", Required = true };

    private readonly Option<string> _csv = new("--csv")
    {
        Description = "Rows to predict, raw (the checkpoint's scaling is applied): the model's features, optionally with a label column and a header.",
        Required = true,
    };

    private readonly Option<int?> _labelColumn = new("--label-column")
    {
        Description = "Zero-based column of the label when the file has one more column than the model's inputs; negative counts from the end. Default -1 (last).",
    };

    private readonly Option<string> _delimiter = new("--delimiter", "-d") { Description = "Field separator of --csv: one character, or 'tab'.", DefaultValueFactory = _ => "," };

    private readonly Option<string?> _output = new("--output")
    {
        Description = "Write the predictions here (atomically) instead of standard output; the accuracy line then goes to standard output.",
    };

    public Command Create(Func<Func<int>, int> guard)
    {
        var command = new Command("predict", "Predicts the class of every row of a CSV file with a saved model, applying its preprocessing.");
        command.Add(_model);
        command.Add(_csv);
        command.Add(_labelColumn);
        command.Add(_delimiter);
        command.Add(_output);
        command.SetAction(parse => guard(() => Execute(parse)));
        return command;
    }

    private int Execute(ParseResult parse)
    {
        string modelPath = parse.GetValue(_model)!;
        string csvPath = parse.GetValue(_csv)!;
        string? outputPath = parse.GetValue(_output);
        char delimiter = Vocabulary.Delimiter(parse.GetValue(_delimiter) ?? ",");
        int? labelColumn = parse.GetValue(_labelColumn);
        OutputPaths.RequireDistinct((outputPath, "--output"), (modelPath, "--model"), (csvPath, "--csv"));
        OutputPaths.RequireWritable(outputPath, "--output");
        foreach ((string path, string option) in new[] { (modelPath, "--model"), (csvPath, "--csv") })
        {
            if (!File.Exists(path))
            {
                throw new UsageException($"{option} {path}: no such file.");
            }
        }

        using InferenceModel<float> model = InferenceModel<float>.Load(modelPath);
        int inputs = model.Architecture.Inputs;
        CsvRows rows = CsvRows.Load(csvPath, delimiter, columns => LabelColumn(columns, inputs, labelColumn, Path.GetFileName(csvPath)));
        int classes = Math.Max(model.Architecture.Outputs, 2);
        IReadOnlyList<string> classNames = model.Info.ClassNames.Count > 0
            ? model.Info.ClassNames
            : [.. Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture))];

        int outputs = model.Architecture.Outputs;
        var probabilities = new float[rows.Rows * outputs];
        var predicted = new int[rows.Rows];
        model.Predict(rows.Features, rows.Rows, probabilities);
        model.PredictClasses(rows.Features, rows.Rows, predicted);

        if (outputPath is null)
        {
            Write(Console.Out, delimiter, classNames, probabilities, predicted, outputs);
        }
        else
        {
            OutputPaths.WriteAtomically(outputPath, writer => Write(writer, delimiter, classNames, probabilities, predicted, outputs));
        }

        if (rows.Labels is { } labels)
        {
            int[] truth = ClassLabels.Indices(labels, classNames, rows.SourceName);
            int correct = truth.Where((label, r) => label == predicted[r]).Count();
            TextWriter report = outputPath is null ? Console.Error : Console.Out;
            report.WriteLine(FormattableString.Invariant($"accuracy: {correct * 100.0 / rows.Rows:F1} % ({correct} of {rows.Rows} rows)"));
        }

        return 0;
    }

    /// <summary>
    /// The label column of a file of <paramref name="columns"/> fields: none when it has exactly the model's inputs,
    /// <paramref name="labelColumn"/> (default the last) when it has one more; any other width is an error.
    /// </summary>
    private static int? LabelColumn(int columns, int inputs, int? labelColumn, string source)
    {
        if (columns == inputs + 1)
        {
            return CsvRows.ResolveColumn(labelColumn ?? -1, columns);
        }

        if (columns == inputs && labelColumn is null)
        {
            return null;
        }

        throw new InvalidDataException(
            $"{source} has {columns} columns; the model takes {inputs} features" +
            (labelColumn is null ? $", so a file has {inputs} columns, or {inputs + 1} with a label." : $" and --label-column asks for a label, so {inputs + 1} columns."));
    }

    /// <summary>
    /// The predictions as CSV: a header <c>predicted,p(name)…</c>, then per row the predicted class name and each
    /// class's probability, shortest round-trip text (so the floats read back bit for bit). A one-output head gives
    /// two columns, 1 − p and p.
    /// </summary>
    private static void Write(TextWriter destination, char delimiter, IReadOnlyList<string> classNames, float[] probabilities, int[] predicted, int outputs)
    {
        using SepWriter writer = Sep.New(delimiter).Writer(o => o with { Escape = true, CultureInfo = CultureInfo.InvariantCulture }).To(destination, leaveOpen: true);
        string[] header = ["predicted", .. classNames.Select(name => $"p({name})")];
        writer.Header.Add(header);
        for (int r = 0; r < predicted.Length; r++)
        {
            using SepWriter.Row row = writer.NewRow();
            row[header[0]].Set(classNames[predicted[r]]);
            ReadOnlySpan<float> p = probabilities.AsSpan(r * outputs, outputs);
            for (int c = 0; c < classNames.Count; c++)
            {
                float value = outputs == 1 ? (c == 1 ? p[0] : 1 - p[0]) : p[c];
                row[header[c + 1]].Set(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }
    }
}
