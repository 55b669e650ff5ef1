using System.Numerics.Tensors;

using BenchmarkDotNet.Attributes;

namespace FastBackprop.Benchmarks;

/// <summary>
/// Row-wise softmax of about 40 K floats (160 KB, in L2) as short classifier rows, medium rows and long rows, against
/// TensorPrimitives.SoftMax called once per row (which does not subtract the maximum), and the fused
/// softmax cross-entropy with labels.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxBenchmarks
{
    private const int Elements = 40960;

    private float[] _x = [];
    private float[] _dy = [];
    private float[] _y = [];
    private int[] _labels = [];

    [Params(10, 128, 4096)]
    public int Cols { get; set; }

    public int Rows => Elements / Cols;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = Enumerable.Range(0, Rows * Cols).Select(_ => (float)((random.NextDouble() * 20) - 10)).ToArray();
        _dy = Enumerable.Range(0, Rows * Cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _y = new float[Rows * Cols];
        _labels = Enumerable.Range(0, Rows).Select(_ => random.Next(Cols)).ToArray();
    }

    [Benchmark(Baseline = true)]
    public void TensorPrimitivesSoftMaxPerRow()
    {
        int cols = Cols;
        for (int r = 0; r < Rows; r++)
        {
            TensorPrimitives.SoftMax(_x.AsSpan(r * cols, cols), _y.AsSpan(r * cols, cols));
        }
    }

    [Benchmark]
    public void Forward() => Activations.Softmax<float>(_x, Rows, Cols, _y);

    [Benchmark]
    public void LogForward() => Activations.LogSoftmax<float>(_x, Rows, Cols, _y);

    [Benchmark]
    public void Backward() => Activations.SoftmaxBackwardFromOutput<float>(_x, _dy, Rows, Cols, _y);

    [Benchmark]
    public float CrossEntropyWithLabels() => Losses.SoftmaxCrossEntropy<float>(_x, _labels, Rows, Cols, _y);
}
