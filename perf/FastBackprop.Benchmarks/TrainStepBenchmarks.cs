using BenchmarkDotNet.Attributes;

using FastBackprop.Training;

namespace FastBackprop.Benchmarks;

/// <summary>
/// One training step of <see cref="Mlp{T}"/> = forward + loss + backward + update (SGD unless the case names
/// momentum or Adam), float, diagnostics off, one thread unless the case names two. Goals (issue 13): 784-256-10
/// ReLU/softmax-CE batch 64 ≤ 230 µs and batch 256 ≤ 880 µs (two threads ≥ 1.6× one); 2-500-2 tanh/softmax-CE
/// batch 1 ≤ 1.2 µs and batch 64 ≤ 16 µs; 64-128-10 sigmoid/squared error batch 32 ≤ 7 µs; 0 B allocated.
/// </summary>
/// <remarks>
/// <see cref="Step"/> is <see cref="Mlp{T}.TrainStep(ReadOnlySpan{T}, ReadOnlySpan{int}, int)"/>, which folds plain
/// SGD into the weight-gradient GEMM; <see cref="GradientsThenUpdate"/> is the same step as ComputeGradients then
/// ApplyUpdate, with ∂J/∂W written out, so the ratio between the two in one run is what the fused update is worth.
/// Momentum and Adam keep the explicit gradient on both. The momentum and Adam cases of 784-256-10 batch 64 show
/// what the vectorized update of 203 530 parameters adds to the SGD case beside them.
/// </remarks>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private Mlp<float> _network = null!;
    private float[] _x = [];
    private int[] _labels = [];
    private float[] _targets = [];
    private int _rows;

    [Params(
        "2-500-2 tanh softmax-CE b1",
        "2-500-2 tanh softmax-CE b64",
        "784-256-10 relu softmax-CE b64",
        "784-256-10 relu softmax-CE b64 momentum",
        "784-256-10 relu softmax-CE b64 adam",
        "784-256-10 relu softmax-CE b256",
        "784-256-10 relu softmax-CE b256 2 threads",
        "64-128-10 sigmoid MSE b32")]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        (int[] widths, ActivationKind hidden, LossKind loss, int rows) = Case switch
        {
            "2-500-2 tanh softmax-CE b1" => (new[] { 2, 500, 2 }, ActivationKind.Tanh, LossKind.SoftmaxCrossEntropy, 1),
            "2-500-2 tanh softmax-CE b64" => (new[] { 2, 500, 2 }, ActivationKind.Tanh, LossKind.SoftmaxCrossEntropy, 64),
            _ when Case.StartsWith("784-256-10 relu softmax-CE b256", StringComparison.Ordinal) =>
                (new[] { 784, 256, 10 }, ActivationKind.Relu, LossKind.SoftmaxCrossEntropy, 256),
            _ when Case.StartsWith("784-256-10 relu softmax-CE b64", StringComparison.Ordinal) =>
                (new[] { 784, 256, 10 }, ActivationKind.Relu, LossKind.SoftmaxCrossEntropy, 64),
            _ => (new[] { 64, 128, 10 }, ActivationKind.Sigmoid, LossKind.MeanSquaredError, 32),
        };
        OptimizerSettings optimizer = Case.EndsWith(" adam", StringComparison.Ordinal) ? new(OptimizerKind.Adam, 1e-4)
            : Case.EndsWith(" momentum", StringComparison.Ordinal) ? new(OptimizerKind.Momentum, 1e-4)
            : new(OptimizerKind.Sgd, 1e-4);
        ActivationKind last = loss == LossKind.SoftmaxCrossEntropy ? ActivationKind.Identity : ActivationKind.Sigmoid;
        var architecture = new MlpArchitecture(
            widths[0], [new DenseLayer(widths[1], new Activation(hidden, 0)), new DenseLayer(widths[2], new Activation(last, 0))], loss);
        int threads = Case.EndsWith(" 2 threads", StringComparison.Ordinal) ? 2 : 1;
        _network = new Mlp<float>(architecture, optimizer, rows, seed: 1, threads: threads);
        _rows = rows;
        var random = new Random(1);
        _x = [.. Enumerable.Range(0, rows * widths[0]).Select(_ => (float)random.NextDouble())];
        _labels = [.. Enumerable.Range(0, rows).Select(_ => random.Next(widths[2]))];
        _targets = new float[rows * widths[2]];
        for (int r = 0; r < rows; r++)
        {
            _targets[r * widths[2] + _labels[r]] = 1;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _network.Dispose();

    [Benchmark(Baseline = true)]
    public float Step() =>
        _network.Architecture.Loss == LossKind.SoftmaxCrossEntropy
            ? _network.TrainStep(_x, _labels, _rows)
            : _network.TrainStep(_x, _targets, _rows);

    [Benchmark]
    public float GradientsThenUpdate()
    {
        float loss = _network.Architecture.Loss == LossKind.SoftmaxCrossEntropy
            ? _network.ComputeGradients(_x, _labels, _rows)
            : _network.ComputeGradients(_x, _targets, _rows);
        _network.ApplyUpdate();
        return loss;
    }
}
