using FastBackprop.Benchmarks.Gate;
using FastBackprop.Benchmarks.Infrastructure;

namespace FastBackprop.Perf.Tests.Gate;

public class GateOptionsTests
{
    private const string Root = "/repo";

    [Fact]
    public void Defaults_are_every_available_path_the_documented_threshold_and_the_committed_baseline()
    {
        GateOptions options = GateOptions.Parse([], Root);

        Assert.Equal(SimdPaths.Available, options.Paths);
        Assert.Equal(GateComparison.DefaultThreshold, options.Threshold);
        Assert.Equal(Path.Combine(Root, "perf", "baseline.json"), options.BaselinePath);
        Assert.False(options.UpdateBaseline);
        Assert.Null(options.ComparePath);
    }

    [Fact]
    public void Every_option_is_read()
    {
        GateOptions options = GateOptions.Parse(
            ["--paths", "scalar", "--threshold", "0.4", "--baseline", "b.json", "--out", "o.json", "--update-baseline"], Root);

        Assert.Equal([SimdPath.Scalar], options.Paths);
        Assert.Equal(0.4, options.Threshold);
        Assert.Equal("b.json", options.BaselinePath);
        Assert.Equal("o.json", options.OutputPath);
        Assert.True(options.UpdateBaseline);
    }

    [Theory]
    [InlineData("--threshold", "-0.1")]
    [InlineData("--threshold", "abc")]
    [InlineData("--threshold", "NaN")]
    [InlineData("--paths", "avx1024")]
    [InlineData("--frobnicate", "1")]
    public void Bad_options_are_rejected(string option, string value)
    {
        Assert.Throws<ArgumentException>(() => GateOptions.Parse([option, value], Root));
    }

    [Fact]
    public void An_option_without_its_value_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => GateOptions.Parse(["--baseline"], Root));
    }

    [Fact]
    public void Compare_and_update_baseline_exclude_each_other()
    {
        Assert.Throws<ArgumentException>(() => GateOptions.Parse(["--compare", "r.json", "--update-baseline"], Root));
    }

    [Fact]
    public void Repository_root_is_found_above_the_start_directory()
    {
        string root = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "FastBackprop.sln"), "");
            string nested = Directory.CreateDirectory(Path.Combine(root, "perf", "FastBackprop.Benchmarks")).FullName;

            Assert.Equal(root, GateOptions.FindRepositoryRoot(nested));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
