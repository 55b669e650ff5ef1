using System.Globalization;

using FastBackprop.Benchmarks.Infrastructure;

namespace FastBackprop.Benchmarks.Gate;

/// <summary>The gate's command line: <c>gate [--paths LIST] [--threshold X] [--baseline FILE] [--out FILE] [--compare FILE] [--update-baseline]</c>.</summary>
internal sealed record GateOptions(
    IReadOnlyList<SimdPath> Paths, double Threshold, string BaselinePath, string OutputPath, string? ComparePath, bool UpdateBaseline)
{
    public const string Usage =
        """
        gate [options]    run the gate's fixed subset, compare with the baseline, exit 1 on a regression
          --paths LIST        SIMD paths to run (vector512,vector256,vector128,scalar or all; default all this CPU has)
          --threshold X       fraction a FastBackprop/peer ratio may grow before failing (default 0.6)
          --baseline FILE     baseline to compare with (default perf/baseline.json in the repository)
          --out FILE          where to write this run's result (default BenchmarkDotNet.Artifacts/gate/gate-result.json)
          --compare FILE      compare an earlier result with the baseline instead of running
          --update-baseline   run, then write the result as the new baseline (exit 0)
        """;

    /// <exception cref="ArgumentException">An option is unknown, lacks its value, or has a bad value.</exception>
    public static GateOptions Parse(IReadOnlyList<string> args, string repositoryRoot)
    {
        IReadOnlyList<SimdPath> paths = SimdPaths.Available;
        double threshold = GateComparison.DefaultThreshold;
        string baseline = Path.Combine(repositoryRoot, "perf", "baseline.json");
        string output = Path.Combine("BenchmarkDotNet.Artifacts", "gate", "gate-result.json");
        string? compare = null;
        bool update = false;
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            switch (args[i])
            {
                case "--paths": paths = SimdPaths.Parse([Value()]); break;
                case "--threshold":
                    string text = Value();
                    threshold = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && t >= 0 && double.IsFinite(t)
                        ? t
                        : throw new ArgumentException($"--threshold '{text}' is not a non-negative number.", nameof(args));
                    break;
                case "--baseline": baseline = Value(); break;
                case "--out": output = Value(); break;
                case "--compare": compare = Value(); break;
                case "--update-baseline": update = true; break;
                default: throw new ArgumentException($"Unknown gate option '{args[i]}'.", nameof(args));
            }
        }

        if (compare is not null && update)
        {
            throw new ArgumentException("--compare and --update-baseline exclude each other.", nameof(args));
        }

        return paths.Count > 0
            ? new GateOptions(paths, threshold, baseline, output, compare, update)
            : throw new ArgumentException("--paths names no path this CPU can run.", nameof(args));
    }

    /// <summary>The nearest directory at or above <paramref name="start"/> that holds FastBackprop.sln, else <paramref name="start"/>.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FastBackprop.sln")))
            {
                return directory.FullName;
            }
        }

        return start;
    }
}
