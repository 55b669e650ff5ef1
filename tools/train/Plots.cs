using FastBackprop.Training;

using ScottPlot;

namespace FastBackprop.Train;

/// <summary>The PNG of the training curves.</summary>
internal static class Plots
{
    /// <summary>Loss (left axis) and accuracy in % (right axis) per epoch, for training and test data.</summary>
    public static void SaveCurves(IReadOnlyList<(EpochReport Train, Evaluation Test)> history, string path)
    {
        double[] epochs = [.. history.Select(h => (double)h.Train.Epoch)];
        var plot = new Plot();
        plot.Title("FastBackprop train");
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "accuracy (%)";

        var trainLoss = plot.Add.Scatter(epochs, history.Select(h => h.Train.Loss).ToArray());
        trainLoss.LegendText = "train loss";
        var testLoss = plot.Add.Scatter(epochs, history.Select(h => h.Test.Loss).ToArray());
        testLoss.LegendText = "test loss";
        var trainAccuracy = plot.Add.Scatter(epochs, history.Select(h => h.Train.Accuracy * 100).ToArray());
        trainAccuracy.LegendText = "train accuracy";
        trainAccuracy.Axes.YAxis = plot.Axes.Right;
        var testAccuracy = plot.Add.Scatter(epochs, history.Select(h => h.Test.Accuracy * 100).ToArray());
        testAccuracy.LegendText = "test accuracy";
        testAccuracy.Axes.YAxis = plot.Axes.Right;
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 900, 540);
    }
}
