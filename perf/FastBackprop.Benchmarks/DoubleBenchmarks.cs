using System.Numerics.Tensors;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FastBackprop.Benchmarks;

/// <summary>
/// The ops TensorPrimitives also has, in double: sigmoid and tanh forward and backward, and row-wise softmax, each
/// category against its TensorPrimitives peer (the backward against the forward peer: TensorPrimitives has no
/// derivatives, and the goal is a backward at least as fast as a forward). 16 K doubles (128 KiB per array: in L2).
/// <c>TensorPrimitives.SoftMax</c> does not subtract the row maximum; FastBackprop's softmax does.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class DoubleBenchmarks
{
    private const int Cols = 128;

    private double[] _x = [];
    private double[] _dy = [];
    private double[] _y = [];

    [Params(16384)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = [.. Enumerable.Range(0, Length).Select(_ => (random.NextDouble() * 20) - 10)];
        _dy = [.. Enumerable.Range(0, Length).Select(_ => random.NextDouble() - 0.5)];
        _y = new double[Length];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Sigmoid")]
    public void TensorPrimitivesSigmoid() => TensorPrimitives.Sigmoid<double>(_x, _y);

    [Benchmark]
    [BenchmarkCategory("Sigmoid")]
    public void SigmoidForward() => Activations.Sigmoid<double>(_x, _y);

    [Benchmark]
    [BenchmarkCategory("Sigmoid")]
    public void SigmoidBackward() => Activations.SigmoidBackward<double>(_x, _dy, _y);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Tanh")]
    public void TensorPrimitivesTanh() => TensorPrimitives.Tanh<double>(_x, _y);

    [Benchmark]
    [BenchmarkCategory("Tanh")]
    public void TanhForward() => Activations.Tanh<double>(_x, _y);

    [Benchmark]
    [BenchmarkCategory("Tanh")]
    public void TanhBackward() => Activations.TanhBackward<double>(_x, _dy, _y);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Softmax")]
    public void TensorPrimitivesSoftMaxPerRow()
    {
        for (int r = 0; r < Length / Cols; r++)
        {
            TensorPrimitives.SoftMax<double>(_x.AsSpan(r * Cols, Cols), _y.AsSpan(r * Cols, Cols));
        }
    }

    [Benchmark]
    [BenchmarkCategory("Softmax")]
    public void SoftmaxForward() => Activations.Softmax<double>(_x, Length / Cols, Cols, _y);

    [Benchmark]
    [BenchmarkCategory("Softmax")]
    public void LogSoftmaxForward() => Activations.LogSoftmax<double>(_x, Length / Cols, Cols, _y);
}
