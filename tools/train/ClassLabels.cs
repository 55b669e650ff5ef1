using System.Globalization;

namespace FastBackprop.Train;

/// <summary>Class labels as text (numbers or names) turned into class indices.</summary>
internal static class ClassLabels
{
    /// <summary>
    /// The distinct labels as class names: ordered numerically when every label is an integer (so "10" follows
    /// "9"), otherwise ordinally by text.
    /// </summary>
    public static string[] Discover(IEnumerable<string> labels)
    {
        string[] names = [.. labels.Distinct(StringComparer.Ordinal)];
        if (names.All(n => long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
        {
            Array.Sort(names, (a, b) => long.Parse(a, CultureInfo.InvariantCulture).CompareTo(long.Parse(b, CultureInfo.InvariantCulture)));
        }
        else
        {
            Array.Sort(names, StringComparer.Ordinal);
        }

        return names;
    }

    /// <summary>Each label's index in <paramref name="classNames"/>, matched by exact text.</summary>
    /// <exception cref="InvalidDataException">A label is not one of <paramref name="classNames"/>; names the data row.</exception>
    public static int[] Indices(IReadOnlyList<string> labels, IReadOnlyList<string> classNames, string sourceName)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < classNames.Count; c++)
        {
            index.TryAdd(classNames[c], c);
        }

        var indices = new int[labels.Count];
        for (int r = 0; r < labels.Count; r++)
        {
            if (!index.TryGetValue(labels[r], out indices[r]))
            {
                throw new InvalidDataException(
                    $"{sourceName} data row {r + 1}: label '{labels[r]}' is not one of the model's classes ({string.Join(", ", classNames.Take(10))}{(classNames.Count > 10 ? ", …" : "")}).");
            }
        }

        return indices;
    }
}
