using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using FastBackprop;
using FastBackprop.Training;

// Probes answer from the runtime itself, not from FastBackprop, so CI's expectations cannot inherit a bug in
// SimdInfo: the widest width the runtime accelerates under the current DOTNET_ switches, and the highest x86-64
// level (psABI: v2 SSE4.2, v3 AVX2 and FMA, v4 AVX-512) whose code this CPU runs; an AOT binary built for a
// higher level than the CPU's does not start.
switch (args)
{
    case ["--widest-accelerated"]:
        Console.WriteLine(
            Vector512.IsHardwareAccelerated ? nameof(SimdPath.Vector512)
            : Vector256.IsHardwareAccelerated ? nameof(SimdPath.Vector256)
            : Vector128.IsHardwareAccelerated ? nameof(SimdPath.Vector128)
            : nameof(SimdPath.Scalar));
        return 0;
    case ["--x86-64-level"]:
        bool v2 = Sse42.IsSupported && Ssse3.IsSupported && Popcnt.IsSupported;
        bool v3 = v2 && Avx2.IsSupported && Fma.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Lzcnt.IsSupported;
        bool v4 = v3 && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported
            && Avx512F.VL.IsSupported;
        Console.WriteLine(v4 ? "v4" : v3 ? "v3" : v2 ? "v2" : X86Base.IsSupported ? "v1" : "none");
        return 0;
    case []:
        break;
    default:
        Console.Error.WriteLine("usage: AotSmoke [--widest-accelerated | --x86-64-level]");
        return 2;
}

Console.WriteLine($"SIMD path: {SimdInfo.ActivePath}");
var failures = new List<string>();
GemmMatchesLoops<float>(failures);
GemmMatchesLoops<double>(failures);
SoftmaxCrossEntropyMatchesItsFormula(failures);
TrainingLowersTheLoss(failures);
foreach (string failure in failures)
{
    Console.Error.WriteLine(failure);
}

Console.WriteLine(failures.Count == 0 ? "kernels: ok" : $"kernels: {failures.Count} failed");
return failures.Count == 0 ? 0 : 1;

// Small integers keep every product and sum exact, so any blocking, packing or thread split gives the loops' C.
// 67 × 45 × 131 is large enough for the packed path and leaves edge tiles in every dimension.
static void GemmMatchesLoops<T>(List<string> failures)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    const int m = 67, k = 45, n = 131;
    var a = new T[m * k];
    var b = new T[k * n];
    for (int i = 0; i < a.Length; i++)
    {
        a[i] = T.CreateTruncating((i % 7) - 3);
    }

    for (int i = 0; i < b.Length; i++)
    {
        b[i] = T.CreateTruncating((i % 5) - 2);
    }

    var c = new T[m * n];
    Gemm.Multiply<T>(MatrixOp.None, MatrixOp.None, m, n, k, T.One, a, k, b, n, T.Zero, c, n);
    for (int i = 0; i < m; i++)
    {
        for (int j = 0; j < n; j++)
        {
            T expected = T.Zero;
            for (int p = 0; p < k; p++)
            {
                expected += a[(i * k) + p] * b[(p * n) + j];
            }

            if (c[(i * n) + j] != expected)
            {
                failures.Add($"GEMM<{typeof(T).Name}> C[{i}, {j}] = {c[(i * n) + j]}, loops give {expected}");
                return;
            }
        }
    }
}

// Logits [0, ln 3] give softmax [1/4, 3/4]: loss −ln(3/4), gradient [1/4, −1/4] for label 1.
static void SoftmaxCrossEntropyMatchesItsFormula(List<string> failures)
{
    float[] logits = [0f, MathF.Log(3f)];
    int[] labels = [1];
    float[] gradient = new float[2];
    float loss = Losses.SoftmaxCrossEntropy<float>(logits, labels, rows: 1, cols: 2, gradient);
    if (Math.Abs(loss + Math.Log(0.75)) > 1e-6 || Math.Abs(gradient[0] - 0.25) > 1e-6 || Math.Abs(gradient[1] + 0.25) > 1e-6)
    {
        failures.Add($"softmax-CE: loss {loss}, gradient [{gradient[0]}, {gradient[1]}], expected {-Math.Log(0.75)}, [0.25, -0.25]");
    }
}

// The trainer end to end (pooled workspaces, optimizer, backprop): ten Adam steps on a separable batch.
static void TrainingLowersTheLoss(List<string> failures)
{
    float[] x = [1f, 0f, 0f, 1f, 1f, 0.1f, 0.1f, 1f];
    int[] labels = [0, 1, 0, 1];
    var architecture = new MlpArchitecture(2, [new DenseLayer(8, Activation.Tanh), new DenseLayer(2, Activation.Identity)],
        LossKind.SoftmaxCrossEntropy);
    using var network = new Mlp<float>(architecture, new OptimizerSettings(OptimizerKind.Adam, LearningRate: 0.05), maxBatch: 4, seed: 1);
    float first = network.TrainStep(x, labels, rows: 4), last = first;
    for (int step = 0; step < 10; step++)
    {
        last = network.TrainStep(x, labels, rows: 4);
    }

    if (!(last < first / 2))
    {
        failures.Add($"training: loss {first} before ten steps, {last} after");
    }
}
