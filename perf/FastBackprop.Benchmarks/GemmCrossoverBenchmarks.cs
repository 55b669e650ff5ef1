using BenchmarkDotNet.Attributes;

namespace FastBackprop.Benchmarks;

/// <summary>
/// Where packing starts to pay: the unpacked kernel against the packed path on op(B) = B shapes around the
/// table's DirectMaxWork (m·n·k), single-threaded float. Reads as "m×k×n".
/// </summary>
public class GemmCrossoverBenchmarks
{
    private GemmShape _shape;
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    [Params("NN 64x256x10", "NN 1x2x500", "NN 32x128x128", "NN 64x128x256", "NN 64x256x256", "NN 128x256x256", "NN 64x784x256")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _shape = GemmShape.Parse(Shape);
        _a = new float[_shape.M * _shape.K];
        _b = new float[_shape.K * _shape.N];
        _c = new float[_shape.M * _shape.N];
        Array.Fill(_a, 0.5f);
        Array.Fill(_b, 0.25f);
    }

    [Benchmark(Baseline = true)]
    public void Packed() => Run(GemmStrategy.Packed);

    [Benchmark]
    public void Unpacked() => Run(GemmStrategy.Direct);

    private void Run(GemmStrategy strategy) =>
        Gemm.Multiply(_shape.OpA, _shape.OpB, _shape.M, _shape.N, _shape.K, 1f, _a, _shape.Lda, _b, _shape.Ldb, 0f, _c, _shape.N, 1, strategy);
}
