using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Cli;

namespace FastBackprop.GradCheck.Tests;

/// <summary>
/// The library reads its SIMD configuration once per process, so these start gradcheck itself as a child process:
/// the cheapest real app over the library (one kernel, one dtype, a few elements).
/// </summary>
public class SimdConfigurationTests
{
    /// <summary>One kernel, one dtype, a few elements, on the child's own path.</summary>
    private static readonly string[] OneKernel = ["--path", "active", "--kernel", "relu", "--dtype", "float", "--size", "8", "--json"];

    [Fact]
    public void An_unknown_FASTBACKPROP_SIMD_is_one_line_on_stderr_and_the_widest_path_runs()
    {
        (int exitCode, string output, string error) = RunGradcheck(new() { [SimdInfo.EnvironmentVariable] = "bogus" }, runtimeConfig: null, OneKernel);

        Assert.Equal(GradCheckApp.Passed, exitCode);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            $"FastBackprop: FASTBACKPROP_SIMD='bogus' is not one of scalar, scalar-nofma, vector128, vector128-nofma, vector256, vector512; ignored, running {SimdInfo.HardwarePath}.",
            line.TrimEnd('\r'));
        Assert.All(Report.ReadJson(output), r => Assert.Equal(SimdInfo.SupportedPathNames[^1], r.Path));
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
            (int exitCode, string output, string error) = RunGradcheck(new() { [SimdInfo.EnvironmentVariable] = "" }, runtimeConfig: config, OneKernel);

            // Without FMA (DOTNET_EnableAVX=0) the scalar path is the scalar-nofma row.
            string scalar = SimdInfo.SupportedPathNames.Contains("scalar") ? "scalar" : "scalar-nofma";
            Assert.Equal(GradCheckApp.Passed, exitCode);
            Assert.Equal("", error);
            Assert.All(Report.ReadJson(output), r => Assert.Equal(scalar, r.Path));
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>
    /// Where the hardware fuses, the default covers the -nofma rows too, each in a child that must report the row it
    /// was asked for: GELU and SiLU carry their products as exact pairs (Dekker's split without FMA) and exact GELU
    /// has its own erfc branch without FMA, so these kernels are the ones whose arithmetic differs there.
    /// </summary>
    [Fact]
    public void The_default_run_checks_every_row_this_CPU_runs_each_under_its_own_name()
    {
        var outcome = Runner.Raw(CheckRegistry.Default, "--kernel", "gelu,silu", "--size", "64", "--json");

        Assert.Equal("", outcome.Error);
        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        using var document = JsonDocument.Parse(outcome.Output);
        Assert.Equal(SimdInfo.SupportedPathNames, document.RootElement.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!));
        Assert.Equal(
            [.. SimdInfo.SupportedPathNames.Order(StringComparer.Ordinal)],
            Report.ReadJson(outcome.Output).Select(r => r.Path).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_path_wider_than_the_runtime_accelerates_is_refused_in_one_line_with_exit_code_2()
    {
        (int exitCode, string output, string error) = RunGradcheck(
            new() { ["DOTNET_EnableAVX512"] = "0" }, runtimeConfig: null, ["--path", "vector512", "--kernel", "relu"]);

        Assert.Equal(GradCheckApp.BadUsage, exitCode);
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gradcheck: --path vector512 is not supported by this CPU (supported: scalar-nofma", line, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) RunGradcheck(Dictionary<string, string> environment, string? runtimeConfig, string[] arguments)
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

        foreach (string argument in (string[])[typeof(GradCheckApp).Assembly.Location, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "gradcheck did not finish within a minute");
        return (process.ExitCode, output, error.Result);
    }
}
