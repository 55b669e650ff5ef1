namespace FastBackprop.Benchmarks.Gate;

/// <summary>
/// The short, fixed subset the gate runs: one size per kernel family, each FastBackprop benchmark paired with the
/// peer it is judged against (TensorPrimitives where it has the op, otherwise the plain scalar C# loop; OpenBLAS for
/// GEMM). Sizes sit in L2 (1 MiB per core here), where the kernels, not memory, set the time.
/// </summary>
internal static class GateSubset
{
    public static IReadOnlyList<GateBenchmark> Benchmarks { get; } =
    [
        new("SigmoidBenchmarks", "Forward", "TensorPrimitivesSigmoid", "Length=16384"),
        new("SigmoidBenchmarks", "Backward", "TensorPrimitivesSigmoid", "Length=16384"),
        new("ActivationBenchmarks", "Forward", "ScalarLoopForward", "Kind=Tanh&Length=32768"),
        new("ActivationBenchmarks", "Backward", "ScalarLoopBackward", "Kind=Tanh&Length=32768"),
    ];
}
