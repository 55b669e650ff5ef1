using System.Globalization;

using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

using FastBackprop.Benchmarks.Infrastructure;

using Perfolizer.Horology;

namespace FastBackprop.Benchmarks.Gate;

/// <summary>
/// The regression gate: runs <see cref="GateSubset"/> on each SIMD path, writes the result as JSON, compares it with
/// the committed baseline and exits 1 when a ratio grew beyond the threshold or a kernel allocated.
/// </summary>
internal static class GateCommand
{
    /// <summary>
    /// Many short iterations, of which the gate keeps the fastest (<see cref="Measurement.TimeNs"/>): on a machine
    /// shared with builds and tests, a 5 ms window free of other processes is common while a 100 ms one is rare.
    /// Tiered compilation is off so every method, FastBackprop's and the peer's, runs fully optimized from its first
    /// call: with tiering, short warm-ups on a loaded machine sometimes measured a peer still in tier-0 code, several
    /// times slower, and its ratio jumped by 4×.
    /// </summary>
    private static readonly Job GateJob = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(15)
        .WithIterationCount(80)
        .WithIterationTime(TimeInterval.FromMilliseconds(5))
        .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TieredCompilation", "0"));

    public static int Run(IReadOnlyList<string> args)
    {
        GateOptions options;
        try
        {
            options = GateOptions.Parse(args, GateOptions.FindRepositoryRoot(Environment.CurrentDirectory));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(GateOptions.Usage);
            return 2;
        }

        GateResult current;
        if (options.ComparePath is not null)
        {
            current = GateJson.Deserialize(File.ReadAllText(options.ComparePath));
        }
        else
        {
            current = Measure(GateSubset.Benchmarks, options.Paths);
            if (!options.UpdateBaseline && File.Exists(options.BaselinePath))
            {
                current = ConfirmRegressions(GateJson.Deserialize(File.ReadAllText(options.BaselinePath)), current, options.Threshold);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.OutputPath))!);
            File.WriteAllText(options.OutputPath, GateJson.Serialize(current));
            Console.WriteLine($"gate result: {options.OutputPath}");
        }

        GateResult? baseline = File.Exists(options.BaselinePath) ? GateJson.Deserialize(File.ReadAllText(options.BaselinePath)) : null;
        if (options.UpdateBaseline)
        {
            int expected = GateSubset.Benchmarks.Count * options.Paths.Count;
            if (current.Entries.Count + current.Skipped.Count != expected)
            {
                Console.Error.WriteLine(
                    $"The run produced {current.Entries.Count} of {expected - current.Skipped.Count} entries (a benchmark or its peer failed); the baseline is left as it was.");
                return 1;
            }

            if (current.Skipped.Count > 0)
            {
                Console.WriteLine(
                    $"{current.Skipped.Count} entries were skipped (peer not installed) and are not in the new baseline; install the peer and update again to gate them.");
            }

            File.WriteAllText(options.BaselinePath, GateJson.Serialize(current));
            Console.WriteLine(GateComparison.Render(GateComparison.Compare(baseline ?? current, current, options.Threshold), options.Threshold));
            Console.WriteLine($"baseline updated: {options.BaselinePath}");
            return 0;
        }

        if (baseline is null)
        {
            Console.Error.WriteLine($"No baseline at {options.BaselinePath}; create one with --update-baseline.");
            return 2;
        }

        IReadOnlyList<ComparisonRow> rows = GateComparison.Compare(baseline, current, options.Threshold);
        Console.WriteLine($"baseline: {options.BaselinePath} ({baseline.Date}, {baseline.Cpu}); current: {current.Date}, {current.Cpu}");
        Console.WriteLine(GateComparison.Render(rows, options.Threshold));
        return rows.Any(r => r.Fails) ? 1 : 0;
    }

    /// <summary>The type's name as BenchmarkDotNet's report writes it: <c>GemmBenchmarks&lt;Single&gt;</c> for a generic class.</summary>
    private static string DisplayName(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(DisplayName))}>"
            : type.Name;

    /// <summary>Measures the entries that failed once more, on the paths where they failed, and keeps the better of the two runs.</summary>
    private static GateResult ConfirmRegressions(GateResult baseline, GateResult current, double threshold)
    {
        HashSet<string> failed = GateComparison.Compare(baseline, current, threshold)
            .Where(r => r.Verdict is Verdict.Slower or Verdict.Allocates)
            .Select(r => r.Id)
            .ToHashSet();
        if (failed.Count == 0)
        {
            return current;
        }

        GateEntry[] suspects = [.. current.Entries.Where(e => failed.Contains(e.Id))];
        Console.WriteLine($"{suspects.Length} entries look regressed; measuring them again to confirm.");
        GateBenchmark[] subset = [.. GateSubset.Benchmarks.Where(b => suspects.Any(e => b.Matches(e.Type, e.Method, e.Peer, e.Parameters)))];
        SimdPath[] paths = [.. SimdPaths.Available.Where(p => suspects.Any(e => e.Path == p.ToString()))];
        return current.ConfirmedBy(Measure(subset, paths));
    }

    /// <summary>Runs the benchmarks of <paramref name="subset"/> whose peer is installed; the others become skipped entries.</summary>
    private static GateResult Measure(IReadOnlyList<GateBenchmark> subset, IReadOnlyList<SimdPath> paths)
    {
        GateBenchmark[] runnable = [.. subset.Where(b => b.PeerMissing is null)];
        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(SimdPaths.Expand([GateJob], paths).ToArray())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultConfig.Instance.GetColumnProviders().ToArray())
            .AddFilter(new SimpleFilter(c => runnable.Any(b =>
                b.Type == DisplayName(c.Descriptor.Type)
                && (b.Method == c.Descriptor.WorkloadMethod.Name || b.Peer == c.Descriptor.WorkloadMethod.Name)
                && b.HasParameters(c.Parameters.PrintInfo))))
            .WithArtifactsPath(Path.Combine("BenchmarkDotNet.Artifacts", "gate"))
            .WithOptions(ConfigOptions.JoinSummary);

        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(GateCommand).Assembly).RunAll(config, [])];
        // A class may add jobs of its own ([Config]); the gate judges only its per-path jobs.
        HashSet<string> pathJobs = paths.Select(p => p.ToString()).ToHashSet();
        var measurements = new List<Measurement>();
        foreach (Summary summary in summaries)
        {
            foreach (string file in JsonExporter.Full.ExportToFiles(summary, NullLogger.Instance))
            {
                measurements.AddRange(BdnReport.Parse(File.ReadAllText(file)).Where(m => pathJobs.Contains(m.Job)));
            }
        }

        string cpu = summaries.Select(s => s.HostEnvironmentInfo.Cpu.Value?.ProcessorName).FirstOrDefault(n => n is not null) ?? "unknown CPU";
        return GateResult.From(
                measurements, runnable, DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), cpu,
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription)
            .WithSkipped(subset, [.. paths.Select(p => p.ToString())]);
    }
}
