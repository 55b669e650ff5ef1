using System.Globalization;
using System.Text;

namespace FastBackprop.Train;

/// <summary>One epoch's figures; accuracies as fractions in [0, 1]; test figures may be NaN when there is no test split.</summary>
internal readonly record struct EpochPoint(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy);

/// <summary>
/// The training curves as text, kept in a checkpoint's metadata under <see cref="MetadataKey"/> so that they carry
/// across <c>train --resume</c>.
/// </summary>
/// <remarks>
/// The text is a header line, then one line per epoch, separated by '\n':
/// <code>
/// epoch,trainLoss,trainAccuracy,testLoss,testAccuracy
/// 1,0.4826107,0.8601252609603341,0.31215,0.8972222222222223
/// </code>
/// Numbers are culture-invariant and each double is written as the shortest text that parses back to the same bits
/// ("R"; NaN as <c>NaN</c>, infinities as <c>Infinity</c>/<c>-Infinity</c>). A non-negative double of at least
/// 1e-99 takes at most 22 characters ("1.2345678901234568E-05", "0.00012345678901234568"), so a line up to epoch
/// 99 999 takes at most 5 + 4·22 + 5 = 98 bytes, and 10 000 epochs fit a checkpoint's 1 MiB of metadata.
/// Epochs are positive and strictly increasing; an accuracy is NaN or lies in [0, 1]; a loss is any double.
/// </remarks>
internal static class History
{
    public const string MetadataKey = "train.history";

    /// <summary>
    /// Most points a checkpoint keeps: a line takes at most 103 bytes (98 up to epoch 99 999, 10 digits of epoch
    /// beyond), so 5000 take at most 515 kB, half of a checkpoint's metadata, leaving the rest for the other keys.
    /// </summary>
    public const int MaxStoredPoints = 5000;

    /// <summary>
    /// <paramref name="points"/> when there are at most <paramref name="maxPoints"/> (at least 2), else that many
    /// spread evenly over them, the first and the last included: point <c>round(k·(n − 1)/(maxPoints − 1))</c> for
    /// k = 0…maxPoints − 1, so a long run's curves keep their shape in a bounded checkpoint.
    /// </summary>
    public static IReadOnlyList<EpochPoint> Thinned(IReadOnlyList<EpochPoint> points, int maxPoints = MaxStoredPoints)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (points.Count <= maxPoints)
        {
            return points;
        }

        var kept = new EpochPoint[maxPoints];
        for (int k = 0; k < maxPoints; k++)
        {
            kept[k] = points[(int)Math.Round(k * (double)(points.Count - 1) / (maxPoints - 1))];
        }

        return kept;
    }

    /// <summary>The first line of the text: the columns, and the mark of this format.</summary>
    private const string Header = "epoch,trainLoss,trainAccuracy,testLoss,testAccuracy";

    private const int FieldCount = 5;

    /// <summary>The header, then one line "epoch,trainLoss,trainAccuracy,testLoss,testAccuracy" per point.</summary>
    /// <exception cref="ArgumentException">An epoch is not positive or not above the one before, or an accuracy is outside [0, 1] and not NaN.</exception>
    public static string Serialize(IReadOnlyList<EpochPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        Validate(points, nameof(points));
        var text = new StringBuilder(Header, Header.Length + 64 * points.Count);
        foreach (EpochPoint point in points)
        {
            text.Append('\n')
                .Append(point.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Number(point.TrainLoss)).Append(',')
                .Append(Number(point.TrainAccuracy)).Append(',')
                .Append(Number(point.TestLoss)).Append(',')
                .Append(Number(point.TestAccuracy));
        }

        return text.ToString();
    }

    /// <summary>The points <see cref="Serialize"/> wrote; a final line break is allowed.</summary>
    /// <param name="text">The stored text.</param>
    /// <param name="sourceName">Where the text comes from (e.g. the checkpoint's path), for the error message.</param>
    /// <exception cref="InvalidDataException">The text is not in this format: the message names the line and what is wrong with it.</exception>
    public static IReadOnlyList<EpochPoint> Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        string[] lines = text.Split('\n');
        int count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        if (count == 0 || lines[0] != Header)
        {
            throw new InvalidDataException($"{sourceName}: {MetadataKey} does not start with the line \"{Header}\".");
        }

        var points = new EpochPoint[count - 1];
        for (int i = 1; i < count; i++)
        {
            points[i - 1] = ParseLine(lines[i], i + 1, sourceName);
            if (i > 1 && points[i - 1].Epoch <= points[i - 2].Epoch)
            {
                throw Malformed(sourceName, i + 1, $"epoch {points[i - 1].Epoch} does not follow epoch {points[i - 2].Epoch}");
            }
        }

        return points;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="parameter"/> for points <see cref="Parse"/> would reject.</summary>
    internal static void Validate(IReadOnlyList<EpochPoint> points, string parameter)
    {
        for (int i = 0; i < points.Count; i++)
        {
            EpochPoint point = points[i];
            if (point.Epoch <= 0 || (i > 0 && point.Epoch <= points[i - 1].Epoch))
            {
                throw new ArgumentException(
                    $"{parameter}[{i}].Epoch is {point.Epoch}: epochs must be positive and increasing ({(i > 0 ? $"the one before is {points[i - 1].Epoch}" : "it is the first")}).",
                    parameter);
            }

            if (!IsAccuracy(point.TrainAccuracy) || !IsAccuracy(point.TestAccuracy))
            {
                throw new ArgumentException(
                    $"{parameter}[{i}] (epoch {point.Epoch}) has accuracies {Number(point.TrainAccuracy)} and {Number(point.TestAccuracy)}: each must be NaN or in [0, 1].",
                    parameter);
            }
        }
    }

    private static EpochPoint ParseLine(string line, int lineNumber, string sourceName)
    {
        string[] fields = line.Split(',');
        if (fields.Length != FieldCount)
        {
            throw Malformed(sourceName, lineNumber, $"{fields.Length} comma-separated fields where {Header} are {FieldCount}");
        }

        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch <= 0)
        {
            throw Malformed(sourceName, lineNumber, $"epoch '{fields[0]}' is not a positive integer");
        }

        double[] values = new double[FieldCount - 1];
        for (int f = 1; f < FieldCount; f++)
        {
            if (!double.TryParse(fields[f], NumberStyles.Float, CultureInfo.InvariantCulture, out values[f - 1]))
            {
                throw Malformed(sourceName, lineNumber, $"'{fields[f]}' is not a number");
            }
        }

        if (!IsAccuracy(values[1]) || !IsAccuracy(values[3]))
        {
            throw Malformed(sourceName, lineNumber, $"accuracies {fields[2]} and {fields[4]} must each be NaN or in [0, 1]");
        }

        return new EpochPoint(epoch, values[0], values[1], values[2], values[3]);
    }

    private static bool IsAccuracy(double value) => double.IsNaN(value) || value is >= 0 and <= 1;

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static InvalidDataException Malformed(string sourceName, int lineNumber, string problem) =>
        new($"{sourceName}: {MetadataKey} line {lineNumber}: {problem}.");
}
