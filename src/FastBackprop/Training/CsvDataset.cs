using System.Globalization;
using System.IO.Compression;

namespace FastBackprop.Training;

/// <summary>
/// Reads a classification data set from comma-separated text: one row per line, numbers in invariant culture
/// (<c>1.5</c>, <c>-2e-3</c>), one column holding the class label (any text; its distinct values become the
/// classes). An optional first line is taken as a header when its feature fields are not all numbers. Blank lines
/// are skipped. A <c>.gz</c> file is decompressed on the fly.
/// </summary>
public static class CsvDataset
{
    /// <summary>Loads <paramref name="path"/>; see <see cref="Read{T}(TextReader, int, string)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is empty, ragged, or holds a feature that is not a finite <typeparamref name="T"/>; the message names the line.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static Dataset<T> Load<T>(string path, int labelColumn = -1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream file = File.OpenRead(path);
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        return Read<T>(reader, labelColumn, Path.GetFileName(path));
    }

    /// <summary>Parses CSV text into a <see cref="Dataset{T}"/>.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="labelColumn">Zero-based index of the label column; negative counts from the end (−1 = last).</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <returns>
    /// Features in file order, labels as class indices: when every label is an integer the classes are ordered
    /// numerically, otherwise ordinally by text.
    /// </returns>
    /// <exception cref="InvalidDataException">No data rows, a row with another field count than the first, a
    /// feature that is not a finite number or lies beyond <typeparamref name="T"/>'s finite range (1e39 in a float
    /// data set), fewer than two columns, or a label column outside the row. The message names the line and column.</exception>
    public static Dataset<T> Read<T>(TextReader reader, int labelColumn = -1, string sourceName = "input")
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        var features = new List<T>();
        var labelTexts = new List<string>();
        int columns = 0;
        int label = 0;
        int lineNumber = 0;
        bool sawFirst = false;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (!sawFirst)
            {
                sawFirst = true;
                columns = fields.Length;
                if (columns < 2)
                {
                    throw new InvalidDataException($"{sourceName} line {lineNumber}: found {columns} column; a data set needs at least one feature and a label.");
                }

                label = labelColumn < 0 ? columns + labelColumn : labelColumn;
                if ((uint)label >= (uint)columns)
                {
                    throw new InvalidDataException($"{sourceName}: label column {labelColumn} is outside the {columns} columns of line {lineNumber}.");
                }

                if (IsHeader(fields, label))
                {
                    continue;
                }
            }

            if (fields.Length != columns)
            {
                throw new InvalidDataException($"{sourceName} line {lineNumber}: found {fields.Length} fields, expected {columns} like the first line.");
            }

            for (int c = 0; c < columns; c++)
            {
                if (c == label)
                {
                    continue;
                }

                // Parsed as T itself: one correct rounding, and a value beyond T's range (1e39 for float) becomes ±∞ here, where it is caught.
                if (!T.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out T value) || !T.IsFinite(value))
                {
                    throw new InvalidDataException($"{sourceName} line {lineNumber} column {c}: {NotFinite<T>(fields[c].Trim())}.");
                }

                features.Add(value);
            }

            labelTexts.Add(fields[label].Trim());
        }

        if (labelTexts.Count == 0)
        {
            throw new InvalidDataException($"{sourceName}: no data rows.");
        }

        string[] classNames = [.. labelTexts.Distinct(StringComparer.Ordinal)];
        bool numeric = classNames.All(n => long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        if (numeric)
        {
            Array.Sort(classNames, (a, b) => long.Parse(a, CultureInfo.InvariantCulture).CompareTo(long.Parse(b, CultureInfo.InvariantCulture)));
        }
        else
        {
            Array.Sort(classNames, StringComparer.Ordinal);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classNames.Length; i++)
        {
            index[classNames[i]] = i;
        }

        int[] labels = [.. labelTexts.Select(t => index[t])];
        return new Dataset<T>(CollectionsMarshal.AsSpan(features), labels, columns - 1, classNames);
    }

    /// <summary>Why a field is not a finite T: not a finite number at all, or a finite number beyond T's range.</summary>
    private static string NotFinite<T>(string field)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            return $"'{field}' is not a finite number";
        }

        string largest = T.BitDecrement(T.PositiveInfinity).ToString(null, CultureInfo.InvariantCulture);
        return $"'{field}' lies beyond ±{largest}, the finite range of {(typeof(T) == typeof(float) ? "float" : "double")}";
    }

    private static bool IsHeader(string[] fields, int label)
    {
        for (int c = 0; c < fields.Length; c++)
        {
            if (c != label && !double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return true;
            }
        }

        return false;
    }
}
