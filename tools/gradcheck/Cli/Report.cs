using System.Globalization;
using System.Text.Json;

using FastBackprop.GradCheck.Engine;

using Spectre.Console;

namespace FastBackprop.GradCheck.Cli;

/// <summary>The merged results of a run, as a table with a one-line summary or as JSON.</summary>
public sealed class Report(IReadOnlyList<CheckResult> results, IReadOnlyList<string> paths, TimeSpan elapsed)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public IReadOnlyList<CheckResult> Results { get; } =
        [.. results.OrderBy(r => r.Group, StringComparer.Ordinal).ThenBy(r => r.Kernel, StringComparer.Ordinal)
            .ThenBy(r => r.Dtype, StringComparer.Ordinal).ThenBy(r => r.Path, StringComparer.Ordinal)];

    public int Failed => Results.Count(r => !r.Passed);

    /// <summary>The results a child process printed with <see cref="WriteJson"/>.</summary>
    public static IReadOnlyList<CheckResult> ReadJson(string json) =>
        JsonSerializer.Deserialize<Document>(json, JsonOptions)?.Results ?? throw new JsonException("empty document");

    public void WriteJson(TextWriter output) =>
        output.WriteLine(JsonSerializer.Serialize(
            new Document(paths, Results.Count - Failed, Failed, Math.Round(elapsed.TotalSeconds, 2), Results),
            JsonOptions));

    public void WriteTable(TextWriter output)
    {
        // Colour only on a terminal: logs and captured output get plain text.
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });

        // Redirected output has no terminal width; the table's rows must not wrap in logs. The table takes only the
        // width its cells need: 160 leaves room for kernel names of 50 characters (mlp-input-gelu-tanh-squared-error-mean).
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("kernel", "dtype", "path", "mode", "max abs", "max rel", "err/tol", "tolerance", "fwd ULP", "result");
        foreach (int column in new[] { 4, 5, 6, 8 })
        {
            table.Columns[column].RightAligned();
        }

        foreach (CheckResult r in Results)
        {
            table.AddRow(
                Markup.Escape(r.Kernel), r.Dtype, r.Path, r.Mode, Number(r.MaxAbs), Number(r.MaxRel), Number(r.Worst),
                r.Dtype == "-" ? "" : new Tolerance(r.Atol, r.Rtol).ToString(),
                r.ForwardUlp is { } ulp ? Number(ulp) : "",
                r.Passed ? "[green]PASS[/]" : "[red]FAIL[/]");
        }

        console.Write(table);
        foreach (CheckResult r in Results.Where(r => !r.Passed))
        {
            console.MarkupLine($"[red]FAIL[/] {Markup.Escape($"{r.Kernel} {r.Dtype} {r.Path}: {r.Reason}")}");
        }

        console.WriteLine(Summary());
    }

    public string Summary()
    {
        int kernels = Results.Select(r => r.Kernel).Distinct().Count();
        string where = string.Join(", ", paths);
        string outcome = Failed == 0 ? "all passed" : $"{Failed} FAILED";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"gradcheck: {Results.Count} checks ({kernels} kernels, paths {where}): {outcome} in {elapsed.TotalSeconds:F1} s");
    }

    private static string Number(double value) =>
        value switch
        {
            0 => "0",
            double.PositiveInfinity => "∞",
            _ => value.ToString("0.0e0", CultureInfo.InvariantCulture),
        };

    private sealed record Document(IReadOnlyList<string> Paths, int Passed, int Failed, double Seconds, IReadOnlyList<CheckResult> Results);
}
