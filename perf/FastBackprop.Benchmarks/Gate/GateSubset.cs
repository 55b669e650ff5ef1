namespace FastBackprop.Benchmarks.Gate;

/// <summary>
/// The short, fixed subset the gate runs: one size per kernel family, each FastBackprop benchmark paired with the
/// peer it is judged against (TensorPrimitives where it has the op, OpenBLAS and oneDNN for GEMM, otherwise the plain
/// scalar C# loop). Sizes sit in L2 (1 MiB per core here), where the kernels, not memory, set the time. Each entry
/// costs about 30 s over the four paths, so the subset stays small: add a kernel family's entry with its benchmark
/// class, then --update-baseline.
/// </summary>
/// <remarks>
/// OpenBLAS is required (its entry is MISSING, and fails, without it); oneDNN is optional: where libdnnl is not
/// installed its three entries are SKIPPED, so the gate still passes on a machine with OpenBLAS alone. The oneDNN
/// entries are the three products of a 784-256 layer's training step at batch 64: forward X·W (NN), weight
/// gradient Xᵀ·dY (TN), input gradient dY·Wᵀ (NT).
/// </remarks>
internal static class GateSubset
{
    private static readonly string? OneDnnMissing = OneDnn.Available ? null : OneDnn.MissingMessage;

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
        new("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=NN 64x784x256&Threads=1", OneDnnMissing),
        new("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=TN 784x64x256&Threads=1", OneDnnMissing),
        new("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=NT 64x256x784&Threads=1", OneDnnMissing),
    ];
}
