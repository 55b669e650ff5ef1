using BenchmarkDotNet.Configs;
using BenchmarkDotNet.ConsoleArguments;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastBackprop.Benchmarks.Infrastructure;

/// <summary>
/// BenchmarkDotNet's own command line, plus <c>--paths LIST</c>: every job runs once per named SIMD path
/// (vector512, vector256, vector128, scalar, or all), each forced by the runtime switch of DESIGN.md. Exits 1 when
/// a benchmark failed (so a CI dry job catches a broken benchmark), 2 on a bad command line.
/// </summary>
internal static class BenchmarkCommand
{
    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, "--paths");
        if (at < 0)
        {
            return ExitCode(BenchmarkSwitcher.FromAssembly(typeof(BenchmarkCommand).Assembly).Run(args, DefaultConfig.Instance));
        }

        IReadOnlyList<SimdPath> paths;
        try
        {
            paths = at + 1 < args.Length ? SimdPaths.Parse([args[at + 1]]) : throw new ArgumentException("--paths needs a value.");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        string[] rest = [.. args[..at], .. args[Math.Min(at + 2, args.Length)..]];
        (bool isSuccess, IConfig parsed, _) = ConfigParser.Parse(rest, ConsoleLogger.Default, DefaultConfig.Instance);
        if (!isSuccess)
        {
            return 2;
        }

        return ExitCode(BenchmarkSwitcher.FromAssembly(typeof(BenchmarkCommand).Assembly)
            .RunAll(new PathJobsConfig(ManualConfig.Union(DefaultConfig.Instance, parsed), paths), []));
    }

    private static int ExitCode(IEnumerable<Summary> summaries) =>
        summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
