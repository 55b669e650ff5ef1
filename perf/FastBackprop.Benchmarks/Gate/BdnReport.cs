using System.Text.Json;
using System.Text.RegularExpressions;

namespace FastBackprop.Benchmarks.Gate;

/// <summary>One benchmark case of a BenchmarkDotNet run: its fastest iteration's time per operation and bytes allocated per operation.</summary>
/// <param name="Type">The benchmark class's name, e.g. <c>SigmoidBenchmarks</c>.</param>
/// <param name="Method">The benchmark method's name.</param>
/// <param name="Parameters">BenchmarkDotNet's parameter string, e.g. <c>Length=16384</c> (<c>&amp;</c> between several).</param>
/// <param name="Job">The job's id; for the per-path jobs it is the SIMD path's name.</param>
/// <param name="TimeNs">
/// The fastest measured iteration, nanoseconds per operation. Other processes only ever add time, so on a shared
/// machine the minimum of many short iterations tracks the kernel's own cost far better than the median does.
/// </param>
/// <param name="AllocatedBytes">Managed bytes allocated per operation (MemoryDiagnoser).</param>
internal sealed record Measurement(string Type, string Method, string Parameters, string Job, double TimeNs, long AllocatedBytes);

/// <summary>Reads BenchmarkDotNet's full JSON report (<c>*-report-full.json</c>, <c>JsonExporter.Full</c>).</summary>
internal static partial class BdnReport
{
    /// <summary>
    /// The measurements in a report. A case that failed (no statistics) is left out, so the gate sees it as missing.
    /// </summary>
    /// <exception cref="FormatException">The text is not a BenchmarkDotNet full JSON report.</exception>
    public static IReadOnlyList<Measurement> Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("Benchmarks", out JsonElement benchmarks) || benchmarks.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("Not a BenchmarkDotNet full JSON report: it has no \"Benchmarks\" array.");
        }

        var measurements = new List<Measurement>();
        foreach (JsonElement benchmark in benchmarks.EnumerateArray())
        {
            if (!benchmark.TryGetProperty("Statistics", out JsonElement statistics) || statistics.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            long allocated = benchmark.TryGetProperty("Memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object
                ? memory.GetProperty("BytesAllocatedPerOperation").GetInt64()
                : 0;
            measurements.Add(new Measurement(
                benchmark.GetProperty("Type").GetString()!,
                benchmark.GetProperty("Method").GetString()!,
                benchmark.GetProperty("Parameters").GetString() ?? "",
                JobId(benchmark.GetProperty("DisplayInfo").GetString()!),
                statistics.GetProperty("Min").GetDouble(),
                allocated));
        }

        return measurements;
    }

    /// <summary>
    /// The job id inside a case's display text, <c>Type.Method: JobId(Characteristic=…) [Parameters]</c>; the report
    /// has no field of its own for it.
    /// </summary>
    /// <exception cref="FormatException">The text does not have that shape.</exception>
    public static string JobId(string displayInfo)
    {
        Match match = JobIdPattern().Match(displayInfo);
        return match.Success
            ? match.Groups["job"].Value
            : throw new FormatException($"Cannot find the job in BenchmarkDotNet's display text '{displayInfo}'.");
    }

    [GeneratedRegex(@"^[^:]+: (?<job>[^\s(\[]+)")]
    private static partial Regex JobIdPattern();
}
