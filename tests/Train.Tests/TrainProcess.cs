using System.Diagnostics;

namespace FastBackprop.Train.Tests;

/// <summary>Runs the built <c>train</c> tool (train.dll beside the tests) as a child process, as a user's shell would.</summary>
public static class TrainProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    private static readonly string ToolPath = Path.Combine(AppContext.BaseDirectory, "train.dll");

    /// <summary>Starts <c>dotnet train.dll args</c> in <paramref name="workingDirectory"/> with its output redirected.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Plain text: no ANSI colours or progress animation in what the tests read.
        start.Environment["NO_COLOR"] = "1";
        start.Environment["TERM"] = "dumb";
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    /// <summary>Runs the tool to its end (at most two minutes) and returns its exit code and output.</summary>
    public static Outcome Run(string workingDirectory, params string[] args)
    {
        using Process process = Start(workingDirectory, args);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"train {string.Join(' ', args)} ran for more than two minutes.");
        }

        return new Outcome(process.ExitCode, output.Result, error.Result);
    }
}
