using System.Diagnostics;
using System.Text.Json.Nodes;

using FastBackprop.GradCheck.Cli;
using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Tests;

/// <summary>
/// The library reads its SIMD configuration once per process, so these start gradcheck itself as a child process:
/// the cheapest real app over the library (one kernel, one dtype, a few elements).
/// </summary>
public class SimdConfigurationTests
{
    [Fact]
    public void An_unknown_FASTBACKPROP_SIMD_is_one_line_on_stderr_and_the_widest_path_runs()
    {
        (int exitCode, string output, string error) = RunGradcheck(variable: "bogus", runtimeConfig: null);

        Assert.Equal(GradCheckApp.Passed, exitCode);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            $"FastBackprop: FASTBACKPROP_SIMD='bogus' is not one of scalar, scalar-nofma, vector128, vector128-nofma, vector256, vector512; ignored, running {SimdInfo.HardwarePath}.",
            line.TrimEnd('\r'));
        Assert.All(Report.ReadJson(output), r => Assert.Equal(GradChecker.PathName(SimdInfo.HardwarePath), r.Path));
    }

    [Fact]
    public void The_runtimeconfig_setting_chooses_the_path_when_the_variable_names_none()
    {
        string config = Path.Combine(Path.GetTempPath(), $"gradcheck-simd-{Environment.ProcessId}.runtimeconfig.json");
        var json = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(typeof(GradCheckApp).Assembly.Location, ".runtimeconfig.json")))!;
        json["runtimeOptions"]!["configProperties"] = new JsonObject { [SimdInfo.AppContextSetting] = "Scalar" };
        File.WriteAllText(config, json.ToJsonString());
        try
        {
            (int exitCode, string output, string error) = RunGradcheck(variable: "", runtimeConfig: config);

            Assert.Equal(GradCheckApp.Passed, exitCode);
            Assert.Equal("", error);
            Assert.All(Report.ReadJson(output), r => Assert.Equal("scalar", r.Path));
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static (int ExitCode, string Output, string Error) RunGradcheck(string variable, string? runtimeConfig)
    {
        var start = new ProcessStartInfo
        {
            // The SDK names its own host for child processes of `dotnet test`.
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        if (runtimeConfig is not null)
        {
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(runtimeConfig);
        }

        foreach (string argument in new[] { typeof(GradCheckApp).Assembly.Location, "--path", "active", "--kernel", "relu", "--dtype", "float", "--size", "8", "--json" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[SimdInfo.EnvironmentVariable] = variable;
        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "gradcheck did not finish within a minute");
        return (process.ExitCode, output, error.Result);
    }
}
