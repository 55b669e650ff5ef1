using System.Globalization;
using System.Text;
using System.Xml;

using FastBackprop.Training;

namespace FastBackprop.Train;

/// <summary>
/// The training curves as an SVG: two panels over a shared epoch axis, loss on a log₁₀ axis above and accuracy in %
/// below, one colour per split and a legend.
/// </summary>
/// <remarks>
/// Figures that cannot be drawn are left out, and a line breaks there rather than bridging the gap: a loss that is
/// NaN, infinite or ≤ 0 (no logarithm), an accuracy that is NaN. Points are marked with dots up to
/// <see cref="MarkerLimit"/> epochs; past that only the lines are drawn (an isolated point keeps its dot).
/// Every element a test looks for has a class: <c>panel</c> (with id <c>loss</c> or <c>accuracy</c>), <c>frame</c>,
/// <c>tick-label</c>, <c>series train</c>/<c>series test</c> and <c>legend</c>.
/// </remarks>
internal static class Plots
{
    private const double Width = 760;
    private const double Height = 660;
    private const double PlotLeft = 80;
    private const double PlotRight = 740;
    private const double LossTop = 64;
    private const double LossBottom = 324;
    private const double AccuracyTop = 352;
    private const double AccuracyBottom = 600;
    private const int MarkerLimit = 60;

    /// <summary>Up to this many decades the log axis also gets unlabelled ticks at 2·10ᵏ and 5·10ᵏ.</summary>
    private const int MinorTickDecades = 3;

    /// <summary>About this many epoch ticks.</summary>
    private const int EpochTickTarget = 8;

    /// <summary>At most this many labelled decades: past it, every second (third, …) power of ten is labelled.</summary>
    private const int MaxLabelledDecades = 8;

    private const string TrainColour = "#1f77b4";
    private const string TestColour = "#e8710a";
    private const string GridColour = "#e3e3e3";
    private const string AxisColour = "#333333";

    private readonly record struct Frame(double Left, double Top, double Right, double Bottom);

    private readonly record struct Split(string Name, string Colour, Func<EpochPoint, double> Loss, Func<EpochPoint, double> Accuracy);

    private static readonly double[] MinorTickMultiples = [2, 5];

    private static readonly double[] StepMultiples = [1, 2, 5];

    private static readonly Split[] Splits =
    [
        new("train", TrainColour, p => p.TrainLoss, p => p.TrainAccuracy),
        new("test", TestColour, p => p.TestLoss, p => p.TestAccuracy),
    ];

    /// <summary>Writes <see cref="RenderSvg"/>'s SVG to <paramref name="path"/> atomically: a temporary file in the same directory, renamed over it.</summary>
    /// <exception cref="ArgumentException">As <see cref="RenderSvg"/>, or <paramref name="path"/> is empty; nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written; a previous file at <paramref name="path"/> is unchanged.</exception>
    public static void SaveCurves(IReadOnlyList<EpochPoint> history, string title, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string svg = RenderSvg(history, title);
        OutputPaths.WriteAtomically(path, writer => writer.Write(svg));
    }

    /// <summary>The SVG document of the curves of <paramref name="history"/> under <paramref name="title"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="history"/> is empty or breaks <see cref="History"/>'s rules (epochs positive and increasing, accuracies NaN or in [0, 1]).</exception>
    public static string RenderSvg(IReadOnlyList<EpochPoint> history, string title)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(title);
        if (history.Count == 0)
        {
            throw new ArgumentException("history holds no epoch: a plot needs at least one.", nameof(history));
        }

        History.Validate(history, nameof(history));
        string printableTitle = XmlPrintable(title);
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var svg = new SvgWriter(text))
        {
            svg.Start("svg", ("width", Px(Width)), ("height", Px(Height)),
                ("viewBox", $"0 0 {Px(Width)} {Px(Height)}"), ("font-family", "DejaVu Sans, Arial, Helvetica, sans-serif"), ("font-size", "12"));
            svg.Text("title", printableTitle);
            svg.Element("rect", ("width", Px(Width)), ("height", Px(Height)), ("fill", "white"));
            svg.Text("text", printableTitle, ("class", "title"), ("x", Px(Width / 2)), ("y", "26"), ("text-anchor", "middle"),
                ("font-size", "16"), ("font-weight", "bold"));

            Split[] drawn = [.. Splits.Where(s => history.Any(p => IsLoss(s.Loss(p)) || !double.IsNaN(s.Accuracy(p))))];
            Legend(svg, drawn.Length > 0 ? drawn : Splits[..1]);

            (double epochMin, double epochMax, int[] epochTicks) = EpochAxis(history[0].Epoch, history[^1].Epoch);
            var loss = new Frame(PlotLeft, LossTop, PlotRight, LossBottom);
            var accuracy = new Frame(PlotLeft, AccuracyTop, PlotRight, AccuracyBottom);
            double X(double epoch) => PlotLeft + ((epoch - epochMin) / (epochMax - epochMin) * (PlotRight - PlotLeft));

            LossPanel(svg, history, drawn, loss, X, epochTicks);
            AccuracyPanel(svg, history, drawn, accuracy, X, epochTicks);

            foreach (int epoch in epochTicks)
            {
                svg.Text("text", epoch.ToString(CultureInfo.InvariantCulture), ("class", "tick-label epoch"),
                    ("x", Px(X(epoch))), ("y", Px(AccuracyBottom + 18)), ("text-anchor", "middle"));
            }

            svg.Text("text", "epoch", ("class", "axis-label"), ("x", Px((PlotLeft + PlotRight) / 2)), ("y", Px(AccuracyBottom + 42)),
                ("text-anchor", "middle"), ("font-size", "13"));
            svg.End();
        }

        return text.ToString();
    }

    /// <summary>Loss on a log₁₀ axis spanning whole decades 10^lo … 10^hi around every positive finite loss.</summary>
    private static void LossPanel(SvgWriter svg, IReadOnlyList<EpochPoint> history, Split[] drawn, Frame frame, Func<double, double> x, int[] epochTicks)
    {
        double[] losses = [.. drawn.SelectMany(s => history.Select(s.Loss)).Where(IsLoss)];
        // The 1e-9 keeps an exact power of ten, whose Log10 may round a hair past its integer, on its own decade.
        int lo = losses.Length == 0 ? -1 : (int)Math.Floor(Math.Log10(losses.Min()) + 1e-9);
        int hi = losses.Length == 0 ? 0 : (int)Math.Ceiling(Math.Log10(losses.Max()) - 1e-9);
        hi = Math.Max(hi, lo + 1);
        int labelEvery = (hi - lo + MaxLabelledDecades - 1) / MaxLabelledDecades;
        hi = lo + (labelEvery * ((hi - lo + labelEvery - 1) / labelEvery));
        double Y(double value) => frame.Bottom - ((Math.Log10(value) - lo) / (hi - lo) * (frame.Bottom - frame.Top));

        svg.Start("g", ("class", "panel"), ("id", "loss"));
        EpochGrid(svg, frame, x, epochTicks);
        if (hi - lo <= MinorTickDecades)
        {
            for (int k = lo; k < hi; k++)
            {
                foreach (double minor in MinorTickMultiples)
                {
                    double y = Y(minor * Math.Pow(10, k));
                    HorizontalLine(svg, frame, y, "grid minor", GridColour, "0.6");
                    svg.Element("line", ("class", "tick minor"), ("x1", Px(frame.Left - 3)), ("y1", Px(y)), ("x2", Px(frame.Left)), ("y2", Px(y)),
                        ("stroke", AxisColour));
                }
            }
        }

        for (int k = lo; k <= hi; k += labelEvery)
        {
            double y = Y(Math.Pow(10, k));
            HorizontalLine(svg, frame, y, "grid", GridColour, "1");
            svg.Element("line", ("class", "tick"), ("x1", Px(frame.Left - 6)), ("y1", Px(y)), ("x2", Px(frame.Left)), ("y2", Px(y)), ("stroke", AxisColour));
            svg.Text("text", PowerOfTen(k), ("class", "tick-label"), ("x", Px(frame.Left - 9)), ("y", Px(y + 4)), ("text-anchor", "end"));
        }

        FrameAndLabel(svg, frame, "loss (log scale)");
        foreach (Split split in drawn)
        {
            Series(svg, split, history, p => IsLoss(split.Loss(p)) ? (x(p.Epoch), Y(split.Loss(p))) : null);
        }

        svg.End();
    }

    /// <summary>Accuracy in % on a linear axis from a round lower bound at or below the lowest accuracy up to exactly 100.</summary>
    private static void AccuracyPanel(SvgWriter svg, IReadOnlyList<EpochPoint> history, Split[] drawn, Frame frame, Func<double, double> x, int[] epochTicks)
    {
        double[] percents = [.. drawn.SelectMany(s => history.Select(s.Accuracy)).Where(a => !double.IsNaN(a)).Select(a => a * 100)];
        // At least a 1 % span, split into about five steps of 1, 2 or 5 × 10ᵏ; the lower bound is a multiple of the step.
        double lowest = Math.Min(percents.Length == 0 ? 0 : percents.Min(), 99);
        double step = NiceStep((100 - lowest) / 5);
        int firstTick = (int)Math.Floor((lowest / step) + 1e-9);
        int lastTick = (int)Math.Round(100 / step);
        double lower = firstTick * step;
        double Y(double percent) => frame.Bottom - ((percent - lower) / (100 - lower) * (frame.Bottom - frame.Top));

        svg.Start("g", ("class", "panel"), ("id", "accuracy"));
        EpochGrid(svg, frame, x, epochTicks);
        for (int i = firstTick; i <= lastTick; i++)
        {
            // Rounded so that 0.2 · 500 prints as 100, and capped so that no tick lies above 100 %.
            double percent = Math.Min(Math.Round(i * step, 6), 100);
            double y = Y(percent);
            HorizontalLine(svg, frame, y, "grid", GridColour, "1");
            svg.Element("line", ("class", "tick"), ("x1", Px(frame.Left - 6)), ("y1", Px(y)), ("x2", Px(frame.Left)), ("y2", Px(y)), ("stroke", AxisColour));
            svg.Text("text", percent.ToString("0.###", CultureInfo.InvariantCulture), ("class", "tick-label"),
                ("x", Px(frame.Left - 9)), ("y", Px(y + 4)), ("text-anchor", "end"));
        }

        FrameAndLabel(svg, frame, "accuracy (%)");
        foreach (Split split in drawn)
        {
            Series(svg, split, history, p => double.IsNaN(split.Accuracy(p)) ? null : (x(p.Epoch), Y(split.Accuracy(p) * 100)));
        }

        svg.End();
    }

    /// <summary>
    /// The epoch axis: first to last epoch (± ½ around a single one) and integer ticks every 1, 2 or 5 × 10ᵏ epochs,
    /// about eight of them.
    /// </summary>
    private static (double Min, double Max, int[] Ticks) EpochAxis(int first, int last)
    {
        (double min, double max) = first == last ? (first - 0.5, last + 0.5) : (first, last);
        int step = (int)Math.Max(1, NiceStep((max - min) / EpochTickTarget));
        int start = (int)Math.Ceiling(min / step) * step;
        int[] ticks = [.. Enumerable.Range(0, ((int)Math.Floor(max) - start) / step + 1).Select(i => start + (i * step))];
        return (min, max, ticks);
    }

    /// <summary>The smallest of 1, 2, 5 × 10ᵏ that is at least <paramref name="raw"/> (&gt; 0).</summary>
    private static double NiceStep(double raw)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (double multiple in StepMultiples)
        {
            if (multiple * magnitude >= raw * (1 - 1e-9))
            {
                return multiple * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static void EpochGrid(SvgWriter svg, Frame frame, Func<double, double> x, int[] epochTicks)
    {
        foreach (int epoch in epochTicks)
        {
            string px = Px(x(epoch));
            svg.Element("line", ("class", "grid"), ("x1", px), ("y1", Px(frame.Top)), ("x2", px), ("y2", Px(frame.Bottom)), ("stroke", GridColour));
            svg.Element("line", ("class", "tick"), ("x1", px), ("y1", Px(frame.Bottom)), ("x2", px), ("y2", Px(frame.Bottom + 5)), ("stroke", AxisColour));
        }
    }

    private static void HorizontalLine(SvgWriter svg, Frame frame, double y, string cssClass, string colour, string width) =>
        svg.Element("line", ("class", cssClass), ("x1", Px(frame.Left)), ("y1", Px(y)), ("x2", Px(frame.Right)), ("y2", Px(y)),
            ("stroke", colour), ("stroke-width", width));

    private static void FrameAndLabel(SvgWriter svg, Frame frame, string label)
    {
        svg.Element("rect", ("class", "frame"), ("x", Px(frame.Left)), ("y", Px(frame.Top)), ("width", Px(frame.Right - frame.Left)),
            ("height", Px(frame.Bottom - frame.Top)), ("fill", "none"), ("stroke", AxisColour));
        string middle = Px((frame.Top + frame.Bottom) / 2);
        svg.Text("text", label, ("class", "axis-label"), ("x", "22"), ("y", middle), ("text-anchor", "middle"), ("font-size", "13"),
            ("transform", $"rotate(-90 22 {middle})"));
    }

    /// <summary>
    /// One split's curve: a polyline through each run of consecutive drawable points (<paramref name="position"/>
    /// gives null where a figure is left out), with a dot per point up to <see cref="MarkerLimit"/> epochs and on
    /// every point that stands alone.
    /// </summary>
    private static void Series(SvgWriter svg, Split split, IReadOnlyList<EpochPoint> history, Func<EpochPoint, (double X, double Y)?> position)
    {
        string cssClass = $"series {split.Name}";
        bool markAll = history.Count <= MarkerLimit;
        var run = new List<(double X, double Y)>();
        void EndRun()
        {
            if (run.Count > 1)
            {
                svg.Element("polyline", ("class", cssClass), ("fill", "none"), ("stroke", split.Colour), ("stroke-width", "1.6"),
                    ("stroke-linejoin", "round"), ("points", string.Join(' ', run.Select(p => $"{Px(p.X)},{Px(p.Y)}"))));
            }

            if (markAll || run.Count == 1)
            {
                foreach ((double x, double y) in run)
                {
                    svg.Element("circle", ("class", cssClass), ("cx", Px(x)), ("cy", Px(y)), ("r", "2.5"), ("fill", split.Colour));
                }
            }

            run.Clear();
        }

        foreach (EpochPoint point in history)
        {
            if (position(point) is { } p)
            {
                run.Add(p);
            }
            else
            {
                EndRun();
            }
        }

        EndRun();
    }

    private static void Legend(SvgWriter svg, Split[] splits)
    {
        svg.Start("g", ("class", "legend"));
        double x = PlotRight - (70 * splits.Length);
        foreach (Split split in splits)
        {
            svg.Element("line", ("x1", Px(x)), ("y1", "46"), ("x2", Px(x + 22)), ("y2", "46"), ("stroke", split.Colour), ("stroke-width", "2.5"));
            svg.Text("text", split.Name, ("x", Px(x + 28)), ("y", "50"));
            x += 70;
        }

        svg.End();
    }

    private static bool IsLoss(double value) => double.IsFinite(value) && value > 0;

    /// <summary>"10" with the exponent in Unicode superscripts: 10⁻², 10⁰, 10³.</summary>
    private static string PowerOfTen(int exponent)
    {
        const string superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var text = new StringBuilder("10");
        foreach (char c in exponent.ToString(CultureInfo.InvariantCulture))
        {
            text.Append(c == '-' ? '⁻' : superscripts[c - '0']);
        }

        return text.ToString();
    }

    /// <summary>A coordinate with one decimal, culture-invariant.</summary>
    private static string Px(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary><paramref name="text"/> with every character XML 1.0 forbids (controls, lone surrogates) replaced by U+FFFD.</summary>
    private static string XmlPrintable(string text)
    {
        var printable = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                printable.Append(text, i, 2);
                i++;
            }
            else
            {
                printable.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
            }
        }

        return printable.ToString();
    }

    /// <summary>The few SVG writes the plot needs, over <see cref="XmlWriter"/>, which escapes every attribute and text.</summary>
    private sealed class SvgWriter(TextWriter output) : IDisposable
    {
        private const string SvgNamespace = "http://www.w3.org/2000/svg";

        private readonly XmlWriter _xml = XmlWriter.Create(output, new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true });

        /// <summary>Opens an element; the first (the root) declares the SVG namespace as the default, the others inherit it.</summary>
        public void Start(string name, params (string Name, string Value)[] attributes)
        {
            _xml.WriteStartElement(name, SvgNamespace);
            foreach ((string attribute, string value) in attributes)
            {
                _xml.WriteAttributeString(attribute, value);
            }
        }

        public void End() => _xml.WriteEndElement();

        public void Element(string name, params (string Name, string Value)[] attributes)
        {
            Start(name, attributes);
            End();
        }

        public void Text(string name, string text, params (string Name, string Value)[] attributes)
        {
            Start(name, attributes);
            _xml.WriteString(text);
            End();
        }

        public void Dispose() => _xml.Dispose();
    }
}
