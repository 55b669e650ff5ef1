using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Cli;
using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Tests;

/// <summary>Runs the command in process on this process's SIMD path, as the tool's own code would.</summary>
public static class Runner
{
    public sealed record Outcome(int ExitCode, IReadOnlyList<CheckResult> Results, string Output, string Error)
    {
        /// <summary>The failing rows as "kernel dtype".</summary>
        public IReadOnlyList<string> FailedRows =>
            [.. Results.Where(r => !r.Passed).Select(r => $"{r.Kernel} {r.Dtype}").Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// <c>gradcheck --path active --json</c> plus <paramref name="args"/>: a replaced op exists only in this process,
    /// so child processes for other paths would check the library's own kernels instead.
    /// </summary>
    public static Outcome Json(CheckRegistry registry, params string[] args)
    {
        Outcome outcome = Raw(registry, ["--path", "active", "--json", .. args]);
        return outcome with { Results = outcome.ExitCode == GradCheckApp.BadUsage ? [] : Report.ReadJson(outcome.Output) };
    }

    public static Outcome Raw(CheckRegistry registry, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = GradCheckApp.Run(args, registry, output, error);
        return new Outcome(exitCode, [], output.ToString(), error.ToString());
    }
}
