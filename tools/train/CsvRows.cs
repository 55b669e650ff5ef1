using System.Globalization;
using System.IO.Compression;

using nietras.SeparatedValues;

namespace FastBackprop.Train;

/// <summary>
/// The rows of a CSV file as float features and, when the file has one, the text of a label column: read by Sep
/// (RFC 4180 quoting, any single-character delimiter, fields trimmed), with header detection and one clear error
/// per problem, naming the file, line and column.
/// </summary>
/// <remarks>
/// The first row is a header when one of its feature fields is not a number (a label may be any text, so the label
/// field does not decide). Blank lines are skipped. Every other row must have the first row's field count. A
/// feature is parsed as a float in invariant culture (<c>1.5</c>, <c>-2e-3</c>); an empty field, a non-number or a
/// value beyond float's finite range is an error. A <c>.gz</c> file is decompressed on the fly.
/// </remarks>
internal sealed class CsvRows
{
    private CsvRows(string sourceName, float[] features, int featureCount, string[]? labels, IReadOnlyList<string>? header)
    {
        SourceName = sourceName;
        Features = features;
        FeatureCount = featureCount;
        Labels = labels;
        Header = header;
    }

    /// <summary>The file name, for messages.</summary>
    public string SourceName { get; }

    /// <summary>Features, row-major <c>[Rows × FeatureCount]</c>, in file order.</summary>
    public float[] Features { get; }

    public int FeatureCount { get; }

    /// <summary>Each row's label text (trimmed, unquoted), or null when the file was read without a label column.</summary>
    public string[]? Labels { get; }

    /// <summary>The header's fields, or null when the first row is data.</summary>
    public IReadOnlyList<string>? Header { get; }

    public int Rows => FeatureCount == 0 ? 0 : Features.Length / FeatureCount;

    /// <summary>Reads <paramref name="path"/>; see the class remarks.</summary>
    /// <param name="path">The file (<c>.gz</c> decompressed).</param>
    /// <param name="delimiter">The field separator.</param>
    /// <param name="labelColumn">
    /// Zero-based label column, negative counting from the end (−1 = last); or a function of the field count that
    /// gives it (or null for "no label column"), for a caller that decides from the width of the file.
    /// </param>
    /// <exception cref="InvalidDataException">The file is empty, ragged or holds a bad field; the message names the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static CsvRows Load(string path, char delimiter, Func<int, int?> labelColumn)
    {
        using FileStream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var text = new StreamReader(stream);
        return Read(text, delimiter, labelColumn, Path.GetFileName(path));
    }

    /// <summary>Reads CSV text; see <see cref="Load"/>.</summary>
    public static CsvRows Read(TextReader text, char delimiter, Func<int, int?> labelColumn, string sourceName)
    {
        using SepReader reader = Sep.New(delimiter).Reader(o => o with
        {
            HasHeader = false,
            Unescape = true,
            Trim = SepTrim.All,
            DisableColCountCheck = true,
            CultureInfo = CultureInfo.InvariantCulture,
        }).From(text);

        var features = new List<float>();
        var labels = new List<string>();
        List<string>? header = null;
        int columns = -1;
        int? label = null;
        foreach (SepReader.Row row in reader)
        {
            // Sep 0.17.1 reports line 2 for a first row read without a header (seen: "2-2"); every later row's is right.
            int line = row.RowIndex == 0 ? 1 : row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.IsWhiteSpace())
            {
                continue;
            }

            if (columns < 0)
            {
                columns = row.ColCount;
                label = labelColumn(columns);
                if (label is { } l && (uint)l >= (uint)columns)
                {
                    throw new InvalidDataException($"{sourceName}: the label column is outside the {columns} fields of line {line}.");
                }

                if (columns - (label is null ? 0 : 1) < 1)
                {
                    throw new InvalidDataException($"{sourceName} line {line}: {columns} field{(columns == 1 ? "" : "s")} leave no feature column (delimiter '{Printable(delimiter)}').");
                }

                if (IsHeader(row, label))
                {
                    header = [];
                    for (int c = 0; c < columns; c++)
                    {
                        header.Add(row[c].ToString());
                    }


                    continue;
                }
            }

            if (row.ColCount != columns)
            {
                throw new InvalidDataException($"{sourceName} line {line}: {row.ColCount} fields, but the first line has {columns}.");
            }

            for (int c = 0; c < columns; c++)
            {
                if (c == label)
                {
                    labels.Add(row[c].ToString());
                    continue;
                }

                ReadOnlySpan<char> field = row[c].Span;
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    throw new InvalidDataException($"{sourceName} line {line} column {c}: {NotAFeature(field.ToString())}.");
                }

                features.Add(value);
            }
        }

        if (columns < 0 || features.Count == 0)
        {
            throw new InvalidDataException($"{sourceName}: no data rows.");
        }

        int featureCount = columns - (label is null ? 0 : 1);
        return new CsvRows(sourceName, [.. features], featureCount, label is null ? null : [.. labels], header);
    }

    /// <summary>The zero-based index that <paramref name="labelColumn"/> (negative from the end) names among <paramref name="columns"/> fields.</summary>
    public static int ResolveColumn(int labelColumn, int columns) => labelColumn < 0 ? columns + labelColumn : labelColumn;

    private static bool IsHeader(SepReader.Row row, int? label)
    {
        for (int c = 0; c < row.ColCount; c++)
        {
            if (c != label && !double.TryParse(row[c].Span, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static string NotAFeature(string field)
    {
        if (field.Length == 0)
        {
            return "the field is empty; every feature needs a number";
        }

        return double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? $"'{field}' lies beyond ±{float.MaxValue.ToString(CultureInfo.InvariantCulture)}, the finite range of float"
            : $"'{field}' is not a finite number";
    }

    private static string Printable(char delimiter) => delimiter == '\t' ? "\\t" : delimiter.ToString();
}
