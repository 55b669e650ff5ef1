using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Cli;

namespace FastBackprop.GradCheck.Tests;

public class UsageTests
{
    [Theory]
    [InlineData("--dtype", "half")]
    [InlineData("--kernel", "nope")]
    [InlineData("--path", "avx9")]
    [InlineData("--path", "vector256-nofma")]
    [InlineData("--eps", "-1")]
    [InlineData("--eps", "abc")]
    [InlineData("--atol", "-1e-5")]
    [InlineData("--shape", "3,4")]
    [InlineData("--size", "0")]
    [InlineData("--no-such-option")]
    public void Bad_usage_prints_one_line_and_exits_2(params string[] args)
    {
        var outcome = Runner.Raw(CheckRegistry.Default, args);

        Assert.Equal(GradCheckApp.BadUsage, outcome.ExitCode);
        Assert.Equal("", outcome.Output);
        string line = Assert.Single(outcome.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gradcheck: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_names_the_paths_and_counts()
    {
        var outcome = Runner.Raw(CheckRegistry.Default, "--path", "active", "--kernel", "sigmoid", "--dtype", "float", "--json");

        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        using var document = System.Text.Json.JsonDocument.Parse(outcome.Output);
        Assert.Equal(4, document.RootElement.GetProperty("passed").GetInt32()); // sigmoid, -from-output, -tail, -cross-entropy
        Assert.Equal(0, document.RootElement.GetProperty("failed").GetInt32());
        Assert.All(Report.ReadJson(outcome.Output), r => Assert.Equal("float", r.Dtype));
    }

    [Fact]
    public void Help_lists_the_options_and_exits_0()
    {
        var outcome = Runner.Raw(CheckRegistry.Default, "--help");

        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        Assert.Contains("--kernel", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("--fast", outcome.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--child", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_filter_selects_by_name_prefix_and_group()
    {
        Assert.Equal(["sigmoid-tail"], CheckRegistry.Default.Select(["sigmoid-tail"]).Select(d => d.Kernel));
        Assert.Equal(["sigmoid", "sigmoid-from-output", "sigmoid-tail", "sigmoid-cross-entropy"], CheckRegistry.Default.Select(["SIGMOID"]).Select(d => d.Kernel));
        Assert.All(CheckRegistry.Default.Select(["activations"]), d => Assert.Equal("activations", d.Group));
    }
}
