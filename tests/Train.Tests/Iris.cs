using System.Globalization;
using System.Text;

namespace FastBackprop.Train.Tests;

/// <summary>
/// Fisher's iris (Data/iris.csv) rewritten as a user's badly scaled file: a header with a quoted field, class names
/// instead of indices, and features from 10⁻⁴ to 10⁴ — sepal length in mm ×100 (4300–7900), sepal width + 500,
/// petal length as given, petal width ÷ 1000 (0.0001–0.0025).
/// </summary>
public static class Iris
{
    public static readonly string[] ClassNames = ["setosa", "versicolor", "virginica"];

    public const string Header = "sepal length (mm × 100),\"sepal width (cm, + 500)\",petal length (cm),petal width (cm ÷ 1000),species";

    /// <summary>Writes the badly scaled file into <paramref name="directory"/> and returns its path.</summary>
    public static string WriteBadlyScaled(string directory, string name = "iris-scaled.csv")
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (string line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "iris.csv")).Skip(1))
        {
            string[] f = line.Split(',');
            double[] x = [.. f.Take(4).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
            text.Append(CultureInfo.InvariantCulture, $"{x[0] * 1000:R},{x[1] + 500:R},{x[2]:R},{x[3] / 1000:R},{ClassNames[int.Parse(f[4], CultureInfo.InvariantCulture)]}\n");
        }

        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
