using System.Globalization;
using System.Text.RegularExpressions;

using FastBackprop.Training;

namespace FastBackprop.Train.Tests;

/// <summary>
/// The issue's bar: badly scaled iris with a header and named classes → <c>train --save</c> → <c>train predict</c>
/// gives the accuracy the model had in training, and the inference-only model's probabilities are the training
/// network's bit for bit.
/// </summary>
public sealed partial class RoundTripTests
{
    [GeneratedRegex(@"^accuracy on all 150 rows: (?<value>[0-9.]+) %$", RegexOptions.Multiline)]
    private static partial Regex TrainingAccuracy();

    [GeneratedRegex(@"^accuracy: (?<value>[0-9.]+) % \((?<correct>\d+) of 150 rows\)$", RegexOptions.Multiline)]
    private static partial Regex PredictAccuracy();

    [Fact]
    public void Predict_reports_the_training_accuracy_and_writes_the_training_networks_probabilities_bit_for_bit()
    {
        using var directory = new TempDirectory();
        string csv = Iris.WriteBadlyScaled(directory.Path);
        string model = directory.File("m.fbp");
        string predictions = directory.File("predictions.csv");

        TrainProcess.Outcome trained = TrainProcess.Run(directory.Path, "--csv", csv, "--layers", "16", "--epochs", "60", "--save", model, "--quiet");
        Assert.True(trained.ExitCode == 0, trained.Error);
        double trainingAccuracy = double.Parse(TrainingAccuracy().Match(trained.Output).Groups["value"].Value, CultureInfo.InvariantCulture);
        Assert.True(trainingAccuracy >= 90, $"training accuracy {trainingAccuracy} % on iris");

        TrainProcess.Outcome predicted = TrainProcess.Run(directory.Path, "predict", "--model", model, "--csv", csv, "--output", predictions);
        Assert.True(predicted.ExitCode == 0, predicted.Error);
        Match accuracy = PredictAccuracy().Match(predicted.Output);
        Assert.True(accuracy.Success, predicted.Output);
        Assert.Equal(trainingAccuracy, double.Parse(accuracy.Groups["value"].Value, CultureInfo.InvariantCulture));

        // The same file through the library: the training network (the checkpoint's weights, with the scaling the
        // run applied) and the inference-only model on raw rows give the probabilities predict wrote.
        CsvRows rows = CsvRows.Load(csv, ',', columns => columns - 1);
        using Mlp<float> network = Checkpoint.Load<float>(model, maxBatch: 256, out ModelInfo info);
        using InferenceModel<float> inference = InferenceModel<float>.Load(model);
        Assert.Equal(Iris.ClassNames, info.ClassNames);
        Assert.Equal(Iris.ClassNames, inference.Info.ClassNames);
        Assert.NotNull(info.Scaling);

        var scaled = new float[rows.Features.Length];
        info.Scaling!.Apply<float>(rows.Features, rows.Rows, scaled);
        var fromNetwork = new float[rows.Rows * 3];
        var fromModel = new float[rows.Rows * 3];
        network.Predict(scaled, rows.Rows, fromNetwork);
        inference.Predict(rows.Features, rows.Rows, fromModel);
        Assert.Equal(Bits(fromNetwork), Bits(fromModel));

        string[] lines = File.ReadAllLines(predictions);
        Assert.Equal("predicted,p(setosa),p(versicolor),p(virginica)", lines[0]);
        Assert.Equal(151, lines.Length);
        float[] written = [.. lines.Skip(1).SelectMany(line => line.Split(',').Skip(1)).Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
        Assert.Equal(Bits(fromModel), Bits(written));
        Assert.All(lines.Skip(1), line => Assert.Contains(line.Split(',')[0], Iris.ClassNames));
    }

    [Fact]
    public void Predict_without_output_writes_csv_to_stdout_and_the_accuracy_to_stderr_and_without_labels_no_accuracy()
    {
        using var directory = new TempDirectory();
        string csv = Iris.WriteBadlyScaled(directory.Path);
        string model = directory.File("m.fbp");
        Assert.Equal(0, TrainProcess.Run(directory.Path, "--csv", csv, "--epochs", "5", "--save", model, "--quiet").ExitCode);
        string unlabelled = directory.File("unlabelled.tsv");
        File.WriteAllLines(unlabelled, File.ReadLines(csv).Skip(1).Select(line => string.Join('\t', line.Split(',')[..4])));

        TrainProcess.Outcome labelled = TrainProcess.Run(directory.Path, "predict", "--model", model, "--csv", csv);
        TrainProcess.Outcome bare = TrainProcess.Run(directory.Path, "predict", "--model", model, "--csv", unlabelled, "--delimiter", "tab");

        Assert.Equal(0, labelled.ExitCode);
        Assert.Equal(151, labelled.Output.TrimEnd('\n').Split('\n').Length);
        Assert.Matches(PredictAccuracy(), labelled.Error);
        Assert.Equal(0, bare.ExitCode);
        Assert.Equal("predicted\tp(setosa)\tp(versicolor)\tp(virginica)", bare.Output.Split('\n')[0]);
        Assert.Equal(labelled.Output.Replace(',', '\t'), bare.Output);
        Assert.Equal("", bare.Error);
    }

    [Theory]
    [InlineData("wrong-width", "has 3 columns; the model takes 4 features, so a file has 4 columns, or 5 with a label.")]
    [InlineData("unknown-label", "data row 2: label 'daisy' is not one of the model's classes (setosa, versicolor, virginica).")]
    public void Predict_rejects_a_file_that_does_not_fit_the_model_with_one_line(string kind, string message)
    {
        using var directory = new TempDirectory();
        string csv = Iris.WriteBadlyScaled(directory.Path);
        string model = directory.File("m.fbp");
        Assert.Equal(0, TrainProcess.Run(directory.Path, "--csv", csv, "--epochs", "2", "--save", model, "--quiet").ExitCode);
        string bad = directory.File("bad.csv");
        File.WriteAllText(bad, kind == "wrong-width" ? "1,2,3\n4,5,6\n" : "5100,503.5,1.4,0.0002,setosa\n4900,503,1.4,0.0002,daisy\n");

        TrainProcess.Outcome outcome = TrainProcess.Run(directory.Path, "predict", "--model", model, "--csv", bad);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal($"train: bad.csv {message}", outcome.Error.TrimEnd('\n'));
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
