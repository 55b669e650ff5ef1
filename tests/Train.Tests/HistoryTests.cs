using System.Globalization;
using System.Text;

using FastBackprop.Training;

namespace FastBackprop.Train.Tests;

public sealed class HistoryTests
{
    [Fact]
    public void Round_trip_is_exact_for_every_double_including_NaN_infinities_and_subnormals()
    {
        double[] specials =
        [
            0.1, 1.0 / 3, 2.0 / 3, 0, -0.0, 1, double.Epsilon, double.MaxValue, double.MinValue, 1e-300,
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.30000000000000004, 12345.678901234567,
        ];
        var random = new Random(7);
        var points = new List<EpochPoint>();
        for (int i = 0; i < 2000; i++)
        {
            double loss = i < specials.Length ? specials[i] : BitConverter.Int64BitsToDouble(random.NextInt64());
            double testLoss = i < specials.Length ? specials[^(i + 1)] : random.NextDouble() * Math.Pow(10, random.Next(-12, 4));
            double accuracy = i % 7 == 0 ? double.NaN : random.NextDouble();
            double testAccuracy = i % 5 == 0 ? double.NaN : random.Next(0, 361) / 360.0;
            points.Add(new EpochPoint(3 * i + 1, loss, accuracy, testLoss, testAccuracy));
        }

        points[1] = points[1] with { TrainAccuracy = 0, TestAccuracy = 1 };

        IReadOnlyList<EpochPoint> parsed = History.Parse(History.Serialize(points), "model.fbp");

        Assert.Equal(points.Count, parsed.Count);
        for (int i = 0; i < points.Count; i++)
        {
            Assert.Equal(points[i].Epoch, parsed[i].Epoch);
            AssertSameDouble(points[i].TrainLoss, parsed[i].TrainLoss);
            AssertSameDouble(points[i].TrainAccuracy, parsed[i].TrainAccuracy);
            AssertSameDouble(points[i].TestLoss, parsed[i].TestLoss);
            AssertSameDouble(points[i].TestAccuracy, parsed[i].TestAccuracy);
        }
    }

    [Fact]
    public void An_empty_history_round_trips_and_a_final_line_break_is_accepted()
    {
        Assert.Empty(History.Parse(History.Serialize([]), "model.fbp"));

        EpochPoint point = new(4, 0.25, 0.5, double.NaN, double.NaN);
        IReadOnlyList<EpochPoint> parsed = History.Parse(History.Serialize([point]) + "\n", "model.fbp");

        Assert.Equal(point.Epoch, Assert.Single(parsed).Epoch);
    }

    [Fact]
    public void Text_is_the_same_under_a_culture_with_a_decimal_comma()
    {
        EpochPoint[] points = [new(1, 0.5, 0.25, 1.5e-7, 0.75), new(2, 1234567.5, 1, double.NaN, double.NaN)];
        string invariant = History.Serialize(points);

        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = DecimalCommaCulture();
            Assert.Equal(invariant, History.Serialize(points));
            Assert.Equal(points.Length, History.Parse(invariant, "model.fbp").Count);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        Assert.Equal("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,0.25,1.5E-07,0.75\n2,1234567.5,1,NaN,NaN", invariant);
    }

    [Fact]
    public void Ten_thousand_epochs_of_full_precision_figures_fit_a_checkpoints_metadata()
    {
        // Figures in [1e-5, 1e-4) print as 1.2345678901234567E-05: the longest a non-negative double ≥ 1e-99 gets.
        var random = new Random(3);
        double Figure() => 1e-5 * (1 + (9 * random.NextDouble()));
        EpochPoint[] points = [.. Enumerable.Range(1, 10_000).Select(e => new EpochPoint(e, Figure(), Figure(), Figure(), Figure()))];

        string text = History.Serialize(points);

        int bytes = 4 + Encoding.UTF8.GetByteCount(History.MetadataKey) + 4 + Encoding.UTF8.GetByteCount(text);
        Assert.True(bytes <= Checkpoint.MaxMetadataBytes, $"{bytes} bytes of metadata for 10 000 epochs; a checkpoint holds {Checkpoint.MaxMetadataBytes}");
        Assert.All(text.Split('\n').Skip(1), line => Assert.InRange(line.Length, 1, 98));
    }

    [Fact]
    public void A_run_of_any_length_is_thinned_to_a_history_that_fits_half_the_metadata_with_its_first_and_last_epoch()
    {
        // The longest lines: 10-digit epochs and figures that print as 1.2345678901234567E-05.
        var random = new Random(5);
        double Figure() => 1e-5 * (1 + (9 * random.NextDouble()));
        EpochPoint[] run = [.. Enumerable.Range(0, 100_000).Select(i => new EpochPoint(int.MaxValue - 100_000 + i, Figure(), Figure(), Figure(), Figure()))];

        IReadOnlyList<EpochPoint> kept = History.Thinned(run);
        string text = History.Serialize(kept);

        Assert.Equal(History.MaxStoredPoints, kept.Count);
        Assert.Equal(run[0], kept[0]);
        Assert.Equal(run[^1], kept[^1]);
        Assert.All(kept.Zip(kept.Skip(1)), pair => Assert.InRange(pair.Second.Epoch - pair.First.Epoch, 19, 21));
        Assert.True(Encoding.UTF8.GetByteCount(text) <= Checkpoint.MaxMetadataBytes / 2, $"{Encoding.UTF8.GetByteCount(text)} bytes");
        Assert.Same(run, History.Thinned(run, run.Length));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("epoch,loss\n1,0.5")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,0.9,0.6")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,0.9,0.6,0.8,7")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,0.9,zero,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,0.9,,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n0,0.5,0.9,0.6,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n-1,0.5,0.9,0.6,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1.5,0.5,0.9,0.6,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n2,0.5,0.9,0.6,0.8\n2,0.4,0.9,0.6,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n2,0.5,0.9,0.6,0.8\n1,0.4,0.9,0.6,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,1.5,0.6,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,0.9,0.6,-0.1")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0.5,0.9,0.6,0.8\n\n2,0.4,0.9,0.6,0.8")]
    [InlineData("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy\n1,0 5,0.9,0.6,0.8")]
    public void Parse_rejects_malformed_text_with_one_line_naming_the_source(string text)
    {
        InvalidDataException exception = Assert.Throws<InvalidDataException>(() => History.Parse(text, "runs/model.fbp"));

        Assert.StartsWith("runs/model.fbp: train.history", exception.Message);
        Assert.DoesNotContain('\n', exception.Message);
    }

    [Theory]
    [InlineData(0, 0.5, 0.5)]
    [InlineData(3, 1.0000000000000002, 0.5)]
    [InlineData(3, 0.5, -1e-300)]
    [InlineData(3, double.PositiveInfinity, 0.5)]
    public void Serialize_rejects_a_point_Parse_would_reject(int epoch, double trainAccuracy, double testAccuracy)
    {
        EpochPoint[] points = [new(epoch, 0.1, trainAccuracy, 0.1, testAccuracy)];

        ArgumentException exception = Assert.Throws<ArgumentException>(() => History.Serialize(points));

        Assert.Equal("points", exception.ParamName);
    }

    [Fact]
    public void Serialize_rejects_epochs_that_do_not_increase()
    {
        EpochPoint[] points = [new(5, 0.1, 0.5, 0.1, 0.5), new(5, 0.1, 0.5, 0.1, 0.5)];

        ArgumentException exception = Assert.Throws<ArgumentException>(() => History.Serialize(points));

        Assert.Equal("points", exception.ParamName);
        Assert.Contains("points[1].Epoch is 5", exception.Message);
    }

    /// <summary>The invariant culture with ',' as its decimal separator (the tests run with invariant globalization).</summary>
    internal static CultureInfo DecimalCommaCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        return culture;
    }

    private static void AssertSameDouble(double expected, double actual)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"expected NaN, got {actual}");
        }
        else
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
        }
    }
}
