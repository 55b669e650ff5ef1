using System.Reflection;

using BenchmarkDotNet.Attributes;

using FastBackprop.Benchmarks;
using FastBackprop.Benchmarks.Gate;

namespace FastBackprop.Perf.Tests.Gate;

public class GateSubsetTests
{
    private static GateBenchmark[] OneDnnEntries => [.. GateSubset.Benchmarks.Where(b => b.Peer == nameof(GemmBenchmarks<float>.OneDNN))];

    [Fact]
    public void OneDnn_is_judged_on_the_three_backprop_products_at_batch_64_single_threaded()
    {
        Assert.Equal(
            ["Shape=NN 64x784x256&Threads=1", "Shape=TN 784x64x256&Threads=1", "Shape=NT 64x256x784&Threads=1"],
            OneDnnEntries.Select(b => b.Parameters));
        Assert.All(OneDnnEntries, b => Assert.Equal(("GemmBenchmarks<Single>", "FastBackprop"), (b.Type, b.Method)));
    }

    [Fact]
    public void OneDnn_entries_are_skipped_exactly_where_oneDnn_is_not_installed()
    {
        Assert.All(OneDnnEntries, b => Assert.Equal(OneDnn.Available ? null : OneDnn.MissingMessage, b.PeerMissing));
        Assert.All(GateSubset.Benchmarks.Except(OneDnnEntries), b => Assert.Null(b.PeerMissing));
    }

    [Fact]
    public void Every_gated_gemm_shape_is_one_the_benchmark_class_runs()
    {
        object?[] shapes = typeof(GemmBenchmarks<float>).GetProperty(nameof(GemmBenchmarks<float>.Shape))!.GetCustomAttribute<ParamsAttribute>()!.Values;

        Assert.All(
            GateSubset.Benchmarks.Where(b => b.Type == "GemmBenchmarks<Single>"),
            b => Assert.Contains(b.Parameters.Split('&').Single(p => p.StartsWith("Shape=", StringComparison.Ordinal))["Shape=".Length..], shapes));
    }
}
