using System.Numerics.Tensors;

using BenchmarkDotNet.Attributes;

namespace FastBackprop.Benchmarks;

/// <summary>Tanh forward and backward against TensorPrimitives.Tanh and a plain scalar loop, floats in L1 to beyond L2.</summary>
[MemoryDiagnoser]
public class TanhBenchmarks
{
    private float[] _x = [];
    private float[] _dy = [];
    private float[] _y = [];

    [Params(1024, 16384, 65536)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = Enumerable.Range(0, Length).Select(_ => (float)((random.NextDouble() * 10) - 5)).ToArray();
        _dy = Enumerable.Range(0, Length).Select(_ => (float)random.NextDouble()).ToArray();
        _y = new float[Length];
    }

    [Benchmark(Baseline = true)]
    public void TensorPrimitivesTanh() => TensorPrimitives.Tanh(_x, _y);

    [Benchmark]
    public void Forward() => Activations.Tanh<float>(_x, _y);

    [Benchmark]
    public void Backward() => Activations.TanhBackward<float>(_x, _dy, _y);

    /// <summary>The backward from the output y (here the benchmark's input stands in for y): no exponential.</summary>
    [Benchmark]
    public void BackwardFromOutput() => Activations.TanhBackwardFromOutput<float>(_x, _dy, _y);

    [Benchmark]
    public void ScalarLoop()
    {
        float[] x = _x;
        float[] y = _y;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = MathF.Tanh(x[i]);
        }
    }
}
