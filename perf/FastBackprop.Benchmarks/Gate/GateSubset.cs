namespace FastBackprop.Benchmarks.Gate;

/// <summary>
/// The short, fixed subset the gate runs: one size per kernel family, each FastBackprop benchmark paired with the
/// peer it is judged against (TensorPrimitives where it has the op, OpenBLAS for GEMM, otherwise the plain scalar C# loop). Sizes sit in
/// L2 (1 MiB per core here), where the kernels, not memory, set the time. Each entry costs about 30 s over the four
/// paths, so the subset stays small: add a kernel family's entry with its benchmark class, then --update-baseline.
/// </summary>
internal static class GateSubset
{
    public static IReadOnlyList<GateBenchmark> Benchmarks { get; } =
    [
        new("SigmoidBenchmarks", "Forward", "TensorPrimitivesSigmoid", "Length=16384"),
        new("SigmoidBenchmarks", "Backward", "TensorPrimitivesSigmoid", "Length=16384"),
        new("ActivationBenchmarks", "Forward", "ScalarLoopForward", "Length=32768&Kind=Tanh"),
        new("ActivationBenchmarks", "Backward", "ScalarLoopBackward", "Length=32768&Kind=Tanh"),
        new("SoftmaxBackwardBenchmarks", "SoftmaxBackward", "ScalarLoopSoftmaxBackward", "Cols=128"),
        new("SoftmaxBenchmarks", "Forward", "TensorPrimitivesSoftMaxPerRow", "Cols=128"),
        new("SoftmaxBenchmarks", "CrossEntropyWithLabels", "TensorPrimitivesSoftMaxPerRow", "Cols=10"),
        new("GemmBenchmarks<Single>", "FastBackprop", "OpenBLAS", "Shape=NN 64x784x256&Threads=1"),
    ];
}
