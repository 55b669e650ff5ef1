using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FastBackprop.Benchmarks;

/// <summary>
/// Softmax and log-softmax backward from the output, row-wise over 40 K floats (160 KiB per array: in L2), against
/// the plain scalar C# loop of the same formula (TensorPrimitives has no softmax backward):
/// softmax <c>dx = y ⊙ (dy − ⟨dy, y⟩)</c>, log-softmax <c>dx = dy − exp(y)·Σdy</c>, per row.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class SoftmaxBackwardBenchmarks
{
    private const int Elements = 40960;

    private float[] _y = [];
    private float[] _logY = [];
    private float[] _dy = [];
    private float[] _dx = [];

    [Params(10, 128, 4096)]
    public int Cols { get; set; }

    public int Rows => Elements / Cols;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        float[] x = [.. Enumerable.Range(0, Elements).Select(_ => (float)((random.NextDouble() * 20) - 10))];
        _y = new float[Elements];
        _logY = new float[Elements];
        Activations.Softmax<float>(x, Rows, Cols, _y);
        Activations.LogSoftmax<float>(x, Rows, Cols, _logY);
        _dy = [.. Enumerable.Range(0, Elements).Select(_ => (float)(random.NextDouble() - 0.5))];
        _dx = new float[Elements];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Softmax")]
    public void ScalarLoopSoftmaxBackward()
    {
        float[] y = _y, dy = _dy, dx = _dx;
        for (int r = 0; r < Rows; r++)
        {
            int start = r * Cols;
            float dot = 0;
            for (int j = start; j < start + Cols; j++)
            {
                dot += dy[j] * y[j];
            }

            for (int j = start; j < start + Cols; j++)
            {
                dx[j] = y[j] * (dy[j] - dot);
            }
        }
    }

    [Benchmark]
    [BenchmarkCategory("Softmax")]
    public void SoftmaxBackward() => Activations.SoftmaxBackwardFromOutput<float>(_y, _dy, Rows, Cols, _dx);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("LogSoftmax")]
    public void ScalarLoopLogSoftmaxBackward()
    {
        float[] y = _logY, dy = _dy, dx = _dx;
        for (int r = 0; r < Rows; r++)
        {
            int start = r * Cols;
            float sum = 0;
            for (int j = start; j < start + Cols; j++)
            {
                sum += dy[j];
            }

            for (int j = start; j < start + Cols; j++)
            {
                dx[j] = dy[j] - (MathF.Exp(y[j]) * sum);
            }
        }
    }

    [Benchmark]
    [BenchmarkCategory("LogSoftmax")]
    public void LogSoftmaxBackward() => Activations.LogSoftmaxBackwardFromOutput<float>(_logY, _dy, Rows, Cols, _dx);
}
