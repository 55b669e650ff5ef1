using System.Diagnostics;
using System.Reflection;

using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Cli;

/// <summary>
/// Runs the checks on every requested SIMD path (a row of the library's path table, by name). The library picks its
/// path once per process, so each path other than this process's own runs in a child process of this tool started
/// with <c>FASTBACKPROP_SIMD</c> set to its name; the child prints its results as JSON and they are merged here.
/// </summary>
public static class PathRunner
{
    public static IReadOnlyList<CheckResult> RunAll(RunRequest request, Func<IReadOnlyList<CheckResult>> runHere)
    {
        var children = request.Paths
            .Where(path => path != SimdInfo.ActivePathName)
            .Select(path => Task.Run(() => RunChild(request, path)))
            .ToArray();
        IReadOnlyList<CheckResult> here = request.Paths.Contains(SimdInfo.ActivePathName) ? runHere() : [];
        return [.. here, .. children.SelectMany(child => child.Result)];
    }

    private static IReadOnlyList<CheckResult> RunChild(RunRequest request, string name)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Started as `dotnet gradcheck.dll` (or a test host): the child is the same dll under the same host.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (string argument in request.ChildArguments())
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[SimdInfo.EnvironmentVariable] = name;
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode is not (GradCheckApp.Passed or GradCheckApp.Failed))
            {
                string firstLine = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                return [Broken(name, $"child process exited {process.ExitCode}: {firstLine}")];
            }

            IReadOnlyList<CheckResult> results = Report.ReadJson(stdout);
            return results.All(r => r.Path == name)
                ? results
                : [Broken(name, $"child process asked for {name} ran on {results.First(r => r.Path != name).Path}")];
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException or System.Text.Json.JsonException)
        {
            return [Broken(name, $"child process failed: {exception.Message}")];
        }
    }

    private static CheckResult Broken(string path, string reason) =>
        new() { Kernel = "(path)", Group = "", Dtype = "-", Path = path, Passed = false, Reason = reason };
}
