using System.Globalization;

using FastBackprop.Training;

using Spectre.Console;

namespace FastBackprop.Train;

/// <summary>The tables printed after training.</summary>
internal static class Report
{
    /// <summary>One row per epoch of this run: loss, accuracies and time.</summary>
    public static void Epochs(IReadOnlyList<EpochPoint> points, IReadOnlyList<EpochReport> reports)
    {
        var table = new Table().Title("epochs").Border(TableBorder.Rounded);
        table.AddColumns("epoch", "train loss", "train acc.", "test loss", "test acc.", "time (ms)");
        for (int e = 0; e < points.Count; e++)
        {
            EpochPoint point = points[e];
            table.AddRow(
                point.Epoch.ToString(CultureInfo.InvariantCulture),
                Number(point.TrainLoss, "F4"),
                Number(point.TrainAccuracy * 100, "F1") + " %",
                Number(point.TestLoss, "F4"),
                Number(point.TestAccuracy * 100, "F1") + " %",
                Number(reports[e].Elapsed.TotalMilliseconds, "F1"));
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Per layer, the last epoch's saturation, dead units and gradient norm, with a hint where learning stalls.</summary>
    public static void Diagnostics(IReadOnlyList<LayerDiagnostics> layers)
    {
        var table = new Table().Title("diagnostics (last epoch)").Border(TableBorder.Rounded);
        table.AddColumns("layer", "activation", "saturated (f′ < 1 % of max)", "dead ReLUs", "mean ‖gradient‖₂");
        foreach (LayerDiagnostics layer in layers)
        {
            table.AddRow(
                layer.Layer.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Vocabulary.Name(layer.Activation)),
                Warn(layer.SaturatedFraction, 0.5),
                Warn(layer.DeadFraction, 0.5),
                Number(layer.GradientNorm, "G4"));
        }

        AnsiConsole.Write(table);
    }

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Warn(double fraction, double limit) =>
        double.IsNaN(fraction) ? "–"
        : fraction > limit ? $"[red]{Number(fraction * 100, "F1")} %[/]"
        : $"{Number(fraction * 100, "F1")} %";
}
