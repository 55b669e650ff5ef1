using System.Globalization;
using System.Xml.Linq;

namespace FastBackprop.Train.Tests;

public sealed class PlotsTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const string Superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    [Fact]
    public void Svg_parses_as_xml_with_the_title_escaped_in_its_title_and_heading()
    {
        const string title = "iris.csv — 4-16-3 ReLU, softmax-CE <&> \"quoted\" 'x'";

        string svg = Plots.RenderSvg(Curve(30), title);

        XElement root = XDocument.Parse(svg).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal(title, root.Element(Svg + "title")!.Value);
        Assert.Equal(title, Single(root, "text", "title").Value);
        Assert.Contains("&lt;&amp;&gt;", svg);
    }

    [Fact]
    public void Characters_XML_forbids_in_the_title_are_replaced()
    {
        XElement root = XDocument.Parse(Plots.RenderSvg(Curve(3), "a\u0001b\uD800c 😀")).Root!;

        Assert.Equal("a\uFFFDb\uFFFDc 😀", root.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void There_are_two_panels_loss_above_accuracy_each_with_both_splits_and_a_legend_names_them()
    {
        XElement root = Render(Curve(30));

        XElement[] panels = [.. root.Descendants(Svg + "g").Where(g => HasClass(g, "panel"))];
        Assert.Equal(["loss", "accuracy"], panels.Select(p => (string?)p.Attribute("id")));
        Assert.True(FrameTop(panels[0]) < FrameTop(panels[1]));
        foreach (XElement panel in panels)
        {
            Assert.NotEmpty(SeriesPoints(panel, "train"));
            Assert.NotEmpty(SeriesPoints(panel, "test"));
        }

        Assert.Equal(["train", "test"], Single(root, "g", "legend").Elements(Svg + "text").Select(t => t.Value));
    }

    [Theory]
    [InlineData(2.3, 1e-6)]
    [InlineData(0.5, 0.2)]
    [InlineData(1, 1)]
    [InlineData(1000, 0.001)]
    [InlineData(3e4, 1e-15)]
    [InlineData(0.01, 0.01)]
    [InlineData(0.9, 0.04)]
    public void Loss_tick_labels_are_consecutive_powers_of_ten_around_every_loss(double first, double last)
    {
        EpochPoint[] history = [.. Enumerable.Range(0, 20).Select(i => Point(i + 1, first * Math.Pow(last / first, i / 19.0), 0.5))];

        XElement loss = Panel(Render(history), "loss");

        int[] exponents = [.. TickLabels(loss).Select(ExponentOfPowerOfTen)];
        Assert.True(exponents.Length >= 2, "at least two decade labels");
        int step = exponents[1] - exponents[0];
        Assert.All(exponents.Zip(exponents.Skip(1)), pair => Assert.Equal(step, pair.Second - pair.First));
        Assert.True(Math.Pow(10, exponents[0]) <= Math.Min(first, last) * (1 + 1e-12), $"lowest label 10^{exponents[0]} is above the lowest loss");
        Assert.True(Math.Pow(10, exponents[^1]) >= Math.Max(first, last) * (1 - 1e-12), $"highest label 10^{exponents[^1]} is below the highest loss");
        Assert.InRange(exponents.Length, 2, 9);
    }

    [Fact]
    public void A_loss_range_within_three_decades_gets_minor_ticks_at_2_and_5_and_a_wide_one_none()
    {
        static int MinorTicks(double first, double last) => Panel(Render([Point(1, first, 0.5), Point(2, last, 0.6)]), "loss")
            .Elements(Svg + "line").Count(l => HasClass(l, "tick") && HasClass(l, "minor"));

        Assert.Equal(2, MinorTicks(0.5, 0.2));
        Assert.Equal(6, MinorTicks(0.5, 0.002));
        Assert.Equal(0, MinorTicks(5, 1e-6));
    }

    [Fact]
    public void A_loss_point_lies_at_its_logarithm_between_the_decade_ticks()
    {
        XElement loss = Panel(Render([Point(1, 1, 0.5), Point(2, 0.1, 0.6), Point(3, Math.Sqrt(0.1), 0.7)]), "loss");

        double[] y = [.. SeriesPoints(loss, "train").Select(p => p.Y)];
        Assert.Equal((y[0] + y[1]) / 2, y[2], 0.11);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.937)]
    [InlineData(0.975)]
    [InlineData(0.999)]
    [InlineData(1.0)]
    public void No_accuracy_tick_or_point_is_above_100_percent_and_the_axis_covers_every_accuracy(double lowest)
    {
        EpochPoint[] history = [.. Enumerable.Range(0, 12).Select(i => Point(i + 1, 0.5, lowest + ((1 - lowest) * i / 11.0)))];
        history[^1] = history[^1] with { TrainAccuracy = 1, TestAccuracy = 1 };

        XElement accuracy = Panel(Render(history), "accuracy");

        double[] ticks = [.. TickLabels(accuracy).Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture))];
        Assert.Equal(100, ticks[^1]);
        Assert.All(ticks, t => Assert.InRange(t, 0, 100));
        Assert.True(ticks[0] <= lowest * 100 + 1e-9, $"lowest tick {ticks[0]} is above the lowest accuracy {lowest * 100} %");
        Assert.InRange(ticks.Length, 3, 11);
        double top = FrameTop(accuracy);
        double bottom = top + double.Parse((string)Single(accuracy, "rect", "frame").Attribute("height")!, CultureInfo.InvariantCulture);
        (double X, double Y)[] points = [.. SeriesPoints(accuracy, "train"), .. SeriesPoints(accuracy, "test")];
        Assert.All(points, p => Assert.InRange(p.Y, top, bottom));
        Assert.Contains(points, p => p.Y == top);
    }

    [Fact]
    public void Without_a_test_split_no_test_point_legend_entry_or_NaN_is_drawn()
    {
        EpochPoint[] history = [.. Curve(10).Select(p => p with { TestLoss = double.NaN, TestAccuracy = double.NaN })];

        string svg = Plots.RenderSvg(history, "no test split");
        XElement root = XDocument.Parse(svg).Root!;

        Assert.DoesNotContain(root.Descendants(), e => HasClass(e, "test"));
        Assert.Equal(["train"], Single(root, "g", "legend").Elements(Svg + "text").Select(t => t.Value));
        Assert.Equal(10, SeriesPoints(Panel(root, "loss"), "train").Length);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
    }

    [Fact]
    public void A_missing_figure_is_left_out_and_breaks_the_line_instead_of_bridging_it()
    {
        EpochPoint[] history = [.. Curve(7)];
        history[2] = history[2] with { TestLoss = double.NaN, TestAccuracy = double.NaN };
        history[4] = history[4] with { TrainLoss = 0 };
        history[5] = history[5] with { TrainLoss = -1 };
        history[6] = history[6] with { TrainLoss = double.PositiveInfinity };

        XElement root = Render(history);
        XElement loss = Panel(root, "loss");
        XElement accuracy = Panel(root, "accuracy");

        Assert.Equal(6, SeriesPoints(loss, "test").Length);
        Assert.Equal(6, SeriesPoints(accuracy, "test").Length);
        Assert.Equal(2, Series(loss, "test", "polyline").Count());
        Assert.Equal(4, SeriesPoints(loss, "train").Length);
        Assert.Equal(7, SeriesPoints(accuracy, "train").Length);
    }

    [Fact]
    public void A_single_epoch_renders_one_dot_per_split_and_panel_over_its_epoch_tick()
    {
        string svg = Plots.RenderSvg([Point(1, 0.7, 0.4)], "one epoch");
        XElement root = XDocument.Parse(svg).Root!;

        XElement epochLabel = Assert.Single(root.Descendants(Svg + "text"), t => HasClass(t, "epoch"));
        Assert.Equal("1", epochLabel.Value);
        foreach (string panel in (string[])["loss", "accuracy"])
        {
            foreach (string split in (string[])["train", "test"])
            {
                XElement dot = Assert.Single(Series(Panel(root, panel), split, "circle"));
                Assert.Equal((string?)epochLabel.Attribute("x"), (string?)dot.Attribute("cx"));
            }
        }

        Assert.DoesNotContain("NaN", svg);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(101)]
    [InlineData(10_000)]
    public void Epoch_ticks_are_evenly_spaced_integers_within_the_run(int epochs)
    {
        XElement root = Render(Curve(epochs));

        int[] ticks = [.. root.Descendants(Svg + "text").Where(t => HasClass(t, "epoch")).Select(t => int.Parse(t.Value, CultureInfo.InvariantCulture))];

        Assert.InRange(ticks.Length, 2, 10);
        Assert.All(ticks, t => Assert.InRange(t, 1, epochs));
        Assert.Single(ticks.Zip(ticks.Skip(1), (a, b) => b - a).Distinct());
    }

    [Fact]
    public void Dots_mark_short_runs_only_and_long_runs_are_lines()
    {
        Assert.Equal(30, Series(Panel(Render(Curve(30)), "loss"), "train", "circle").Count());
        Assert.Empty(Series(Panel(Render(Curve(500)), "loss"), "train", "circle"));
    }

    [Fact]
    public void Svg_is_the_same_under_a_culture_with_a_decimal_comma()
    {
        EpochPoint[] history = [.. Curve(25)];
        string invariant = Plots.RenderSvg(history, "t");

        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = HistoryTests.DecimalCommaCulture();
            Assert.Equal(invariant, Plots.RenderSvg(history, "t"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Bad_history_is_an_ArgumentException_naming_it()
    {
        Assert.Equal("history", Assert.Throws<ArgumentException>(() => Plots.RenderSvg([], "t")).ParamName);
        Assert.Equal("history", Assert.Throws<ArgumentException>(() => Plots.RenderSvg([Point(1, 0.5, 1.01)], "t")).ParamName);
        Assert.Equal("history", Assert.Throws<ArgumentException>(() => Plots.RenderSvg([Point(2, 0.5, 0.5), Point(1, 0.4, 0.6)], "t")).ParamName);
    }

    [Fact]
    public void SaveCurves_replaces_the_file_whole_and_leaves_no_temporary_behind()
    {
        string directory = Directory.CreateTempSubdirectory("plots-").FullName;
        try
        {
            string path = Path.Combine(directory, "curves.svg");
            File.WriteAllText(path, "previous");
            EpochPoint[] history = [.. Curve(12)];

            Plots.SaveCurves(history, "run", path);

            Assert.Equal(Plots.RenderSvg(history, "run"), File.ReadAllText(path));
            Assert.Equal(["curves.svg"], Directory.GetFiles(directory).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void SaveCurves_with_bad_input_or_a_missing_directory_writes_nothing()
    {
        string directory = Directory.CreateTempSubdirectory("plots-").FullName;
        try
        {
            string path = Path.Combine(directory, "curves.svg");
            File.WriteAllText(path, "previous");

            Assert.Throws<ArgumentException>(() => Plots.SaveCurves([], "run", path));
            Assert.ThrowsAny<IOException>(() => Plots.SaveCurves(Curve(3), "run", Path.Combine(directory, "missing", "curves.svg")));

            Assert.Equal("previous", File.ReadAllText(path));
            Assert.Equal(["curves.svg"], Directory.GetFiles(directory).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A typical run: losses falling from about 2 towards 0.05, accuracies rising towards 99 %, test a little worse.</summary>
    private static EpochPoint[] Curve(int epochs) =>
        [.. Enumerable.Range(1, epochs).Select(e => new EpochPoint(
            e, 2 * Math.Exp(-e / 5.0) + 0.01, 0.99 - (0.8 * Math.Exp(-e / 4.0)), 2 * Math.Exp(-e / 6.0) + 0.05, 0.97 - (0.8 * Math.Exp(-e / 4.0))))];

    private static EpochPoint Point(int epoch, double loss, double accuracy) => new(epoch, loss, accuracy, loss * 1.1, accuracy * 0.99);

    private static XElement Render(IReadOnlyList<EpochPoint> history) => XDocument.Parse(Plots.RenderSvg(history, "test plot")).Root!;

    private static bool HasClass(XElement element, string name) =>
        ((string?)element.Attribute("class"))?.Split(' ').Contains(name) == true;

    private static XElement Single(XElement root, string element, string cssClass) =>
        Assert.Single(root.Descendants(Svg + element), e => HasClass(e, cssClass));

    private static XElement Panel(XElement root, string id) =>
        Assert.Single(root.Descendants(Svg + "g"), g => HasClass(g, "panel") && (string?)g.Attribute("id") == id);

    private static string[] TickLabels(XElement panel) =>
        [.. panel.Elements(Svg + "text").Where(t => HasClass(t, "tick-label")).Select(t => t.Value)];

    private static double FrameTop(XElement panel) =>
        double.Parse((string)Single(panel, "rect", "frame").Attribute("y")!, CultureInfo.InvariantCulture);

    private static IEnumerable<XElement> Series(XElement panel, string split, string element) =>
        panel.Elements(Svg + element).Where(e => HasClass(e, "series") && HasClass(e, split));

    /// <summary>Every drawn point of a split in a panel: the vertices of its polylines and its dots, each once.</summary>
    private static (double X, double Y)[] SeriesPoints(XElement panel, string split)
    {
        static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        IEnumerable<(double, double)> vertices = Series(panel, split, "polyline")
            .SelectMany(p => ((string)p.Attribute("points")!).Split(' '))
            .Select(pair => pair.Split(','))
            .Select(xy => (Number(xy[0]), Number(xy[1])));
        IEnumerable<(double, double)> dots = Series(panel, split, "circle")
            .Select(c => (Number((string)c.Attribute("cx")!), Number((string)c.Attribute("cy")!)));
        return [.. vertices.Concat(dots).Distinct()];
    }

    /// <summary>k of a label "10ᵏ" written with Unicode superscripts; fails the test for any other label.</summary>
    private static int ExponentOfPowerOfTen(string label)
    {
        Assert.StartsWith("10", label);
        string exponent = label[2..];
        bool negative = exponent.StartsWith('⁻');
        string digits = negative ? exponent[1..] : exponent;
        Assert.NotEmpty(digits);
        Assert.All(digits, c => Assert.Contains(c, Superscripts));
        int value = digits.Aggregate(0, (sum, c) => (10 * sum) + Superscripts.IndexOf(c));
        return negative ? -value : value;
    }
}
