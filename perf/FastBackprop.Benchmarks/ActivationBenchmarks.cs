using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FastBackprop.Benchmarks;

/// <summary>
/// Every activation of <see cref="ActivationInfo.All"/>, forward and backward from the input, against the plain scalar C# loop of the same formula
/// (<see cref="ScalarActivations"/>): each category's baseline is its scalar loop, so Ratio is FastBackprop's time over
/// the scalar loop's. Floats at three lengths: 2 K (forward 16 KiB, backward 24 KiB: in the 48 KiB L1d), 32 K (256 and
/// 384 KiB: in the 1 MiB L2) and 1 M (8 and 12 MiB: beyond L2, in L3). Sigmoid and tanh also have classes of their own
/// with TensorPrimitives as the peer.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ActivationBenchmarks
{
    private const float Alpha = 0.1f;

    private float[] _x = [];
    private float[] _dy = [];
    private float[] _y = [];
    private Activation _activation;

    /// <summary>Every entry of the library's registry.</summary>
    public static IEnumerable<ActivationKind> Kinds => ActivationInfo.All.Select(i => i.Kind);

    [ParamsSource(nameof(Kinds))]
    public ActivationKind Kind { get; set; }

    [Params(2048, 32768, 1048576)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = [.. Enumerable.Range(0, Length).Select(_ => (float)((random.NextDouble() * 20) - 10))];
        _dy = [.. Enumerable.Range(0, Length).Select(_ => (float)(random.NextDouble() - 0.5))];
        _y = new float[Length];
        _activation = new Activation(Kind, Alpha);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Forward")]
    public void ScalarLoopForward() => ScalarActivations.Forward(Kind, Alpha, _x, _y);

    [Benchmark]
    [BenchmarkCategory("Forward")]
    public void Forward() => Activations.Forward<float>(_activation, _x, _y);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Backward")]
    public void ScalarLoopBackward() => ScalarActivations.Backward(Kind, Alpha, _x, _dy, _y);

    [Benchmark]
    [BenchmarkCategory("Backward")]
    public void Backward() => Activations.Backward<float>(_activation, _x, _dy, _y);
}
