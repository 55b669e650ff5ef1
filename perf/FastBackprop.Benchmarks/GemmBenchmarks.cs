using System.Globalization;
using System.Numerics;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

using Perfolizer.Horology;

namespace FastBackprop.Benchmarks;

/// <summary>
/// FastBackprop's GEMM beside OpenBLAS and oneDNN on the same shapes, in the same run: squares, the three backprop
/// products of a 784-256 layer at batch 64 and 256 (forward X·W NN, weight gradient Xᵀ·dY TN, input gradient dY·Wᵀ
/// NT), and the small layers 256-10, 2-500 and 500-2; one and two threads; float and double (oneDNN has no double
/// GEMM, so <c>GemmBenchmarks&lt;Double&gt;</c> has no oneDNN row). Shapes read "op m×k×n". The GFLOP/s column counts
/// 2·m·n·k per call; "% peak" divides by the FMA peak of the job's SIMD width × threads (<see cref="FmaPeak"/>).
/// </summary>
/// <remarks>
/// Jobs per SIMD path come from FASTBACKPROP_BENCH_PATHS (comma-separated: avx512, avx2, vector128; default
/// avx512): `FASTBACKPROP_BENCH_PATHS=avx512,avx2 dotnet run -c Release --project perf/FastBackprop.Benchmarks -- --filter '*Gemm*'`.
/// FASTBACKPROP_BENCH_SHAPES (comma-separated shapes as written in <see cref="Shape"/>'s list) keeps only those shapes:
/// `FASTBACKPROP_BENCH_SHAPES="NN 64x500x2,NN 1x2x500"`.
/// </remarks>
[Config(typeof(GemmConfig))]
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class GemmBenchmarks<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private GemmShape _shape;
    private T[] _a = [];
    private T[] _b = [];
    private T[] _c = [];

    [Params("NN 256x256x256", "NN 512x512x512", "NN 1024x1024x1024", "NN 2048x2048x2048",
        "NN 64x784x256", "TN 784x64x256", "NT 64x256x784", "NN 256x784x256", "TN 784x256x256", "NT 256x256x784",
        "NN 64x256x10", "NN 1x2x500", "NN 64x500x2")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _shape = GemmShape.Parse(Shape);
        var random = new Random(42);
        _a = Enumerable.Range(0, _shape.M * _shape.K).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        _b = Enumerable.Range(0, _shape.K * _shape.N).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        _c = new T[_shape.M * _shape.N];
        if (OpenBlas.Available)
        {
            OpenBlas.SetThreadCount(Threads);
        }
    }

    /// <summary>
    /// The common setup, then oneDNN's thread count and its agreement with Gemm.Multiply on this case's data: a
    /// binding that maps an op or a stride wrongly fails the case instead of timing another product.
    /// </summary>
    [GlobalSetup(Target = nameof(OneDNN))]
    public void SetupOneDnn()
    {
        Setup();
        OneDnn.SetThreadCount(Threads);
        float[] a = (float[])(object)_a;
        float[] b = (float[])(object)_b;
        GemmAgreement.Verify("oneDNN", _shape, a, b, c => OneDnn.Multiply(_shape.OpA, _shape.OpB, _shape.M, _shape.N, _shape.K, 1f, a, _shape.Lda, b, _shape.Ldb, 0f, c, _shape.N));
    }

    [Benchmark(Baseline = true)]
    public void FastBackprop() =>
        Gemm.Multiply(_shape.OpA, _shape.OpB, _shape.M, _shape.N, _shape.K, T.One, _a, _shape.Lda, _b, _shape.Ldb, T.Zero, _c, _shape.N, Threads);

    [Benchmark]
    [BenchmarkCategory(GemmConfig.OpenBlasCategory)]
    public void OpenBLAS() =>
        OpenBlas.Multiply(_shape.OpA, _shape.OpB, _shape.M, _shape.N, _shape.K, T.One, _a, _shape.Lda, _b, _shape.Ldb, T.Zero, _c, _shape.N);

    /// <summary>dnnl_sgemm; float only (GemmConfig filters the double cases out).</summary>
    [Benchmark]
    [BenchmarkCategory(GemmConfig.OneDnnCategory)]
    public void OneDNN() =>
        OneDnn.Multiply(_shape.OpA, _shape.OpB, _shape.M, _shape.N, _shape.K, 1f, (float[])(object)_a, _shape.Lda, (float[])(object)_b, _shape.Ldb, 0f, (float[])(object)_c, _shape.N);
}

/// <summary>"op m×k×n" with op ∈ {NN, NT, TN, TT} (op(A), op(B)), tight strides.</summary>
internal readonly record struct GemmShape(MatrixOp OpA, MatrixOp OpB, int M, int K, int N)
{
    public int Lda => OpA == MatrixOp.None ? K : M;

    public int Ldb => OpB == MatrixOp.None ? N : K;

    public double Flops => 2.0 * M * N * K;

    /// <summary>The text <see cref="Parse"/> reads, e.g. "TN 784x64x256".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(OpA == MatrixOp.None ? 'N' : 'T')}{(OpB == MatrixOp.None ? 'N' : 'T')} {M}x{K}x{N}");

    public static GemmShape Parse(string text)
    {
        string[] parts = text.Split(' ');
        int[] size = parts[1].Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new GemmShape(
            parts[0][0] == 'T' ? MatrixOp.Transpose : MatrixOp.None, parts[0][1] == 'T' ? MatrixOp.Transpose : MatrixOp.None, size[0], size[1], size[2]);
    }
}

/// <summary>Jobs per SIMD path (environment variables of the runtime), the GFLOP/s and % peak columns, and the OpenBLAS and oneDNN filters.</summary>
public sealed class GemmConfig : ManualConfig
{
    public const string OpenBlasCategory = "OpenBLAS";

    public const string OneDnnCategory = "oneDNN";

    public GemmConfig()
    {
        string paths = Environment.GetEnvironmentVariable("FASTBACKPROP_BENCH_PATHS") ?? "avx512";
        // Short iterations: 130 cases per path (13 shapes × 2 thread counts × 3 methods in float, FastBackprop, OpenBLAS
        // and oneDNN; 2 in double) must fit a shared 2-core machine; 150 ms still covers 1–100 calls of 2048³.
        Job job = Job.Default.WithWarmupCount(3).WithIterationCount(6).WithIterationTime(TimeInterval.FromMilliseconds(150));
        foreach (string path in paths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            AddJob(path.ToLowerInvariant() switch
            {
                "avx512" => job.WithId("AVX-512"),
                "avx2" => job.WithEnvironmentVariables(new EnvironmentVariable("DOTNET_EnableAVX512", "0")).WithId("AVX2"),
                "vector128" => job.WithEnvironmentVariables(new EnvironmentVariable("DOTNET_EnableAVX", "0")).WithId("Vector128"),
                _ => throw new ArgumentException($"FASTBACKPROP_BENCH_PATHS: unknown path '{path}' (avx512, avx2, vector128)."),
            });
        }

        AddColumn(new GflopsColumn(fractionOfPeak: false), new GflopsColumn(fractionOfPeak: true));
        if (!OpenBlas.Available)
        {
            Console.WriteLine(OpenBlas.MissingMessage);
            AddFilter(new SimpleFilter(benchmark => !benchmark.Descriptor.Categories.Contains(OpenBlasCategory)));
        }

        if (!OneDnn.Available)
        {
            Console.WriteLine(OneDnn.MissingMessage);
        }

        string? shapes = Environment.GetEnvironmentVariable("FASTBACKPROP_BENCH_SHAPES");
        if (!string.IsNullOrWhiteSpace(shapes))
        {
            string[] kept = shapes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            AddFilter(new SimpleFilter(benchmark => benchmark.Parameters["Shape"] is string shape && kept.Contains(shape)));
        }

        // dnnl_sgemm is float only: the oneDNN rows run in GemmBenchmarks<Single>, and only where the library loads.
        AddFilter(new SimpleFilter(benchmark =>
            !benchmark.Descriptor.Categories.Contains(OneDnnCategory) || (OneDnn.Available && benchmark.Descriptor.Type.GetGenericArguments() is [var t] && t == typeof(float))));
    }
}

/// <summary>GFLOP/s (2·m·n·k / mean time) or that as a fraction of the FMA peak of the job's width and thread count.</summary>
public sealed class GflopsColumn(bool fractionOfPeak) : IColumn
{
    public string Id => fractionOfPeak ? "PercentPeak" : "Gflops";

    public string ColumnName => fractionOfPeak ? "% peak" : "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => fractionOfPeak ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => fractionOfPeak
        ? "GFLOP/s over the FMA peak of the job's SIMD width × threads (one core's register-only FMA loop, measured by the host)"
        : "2·m·n·k / mean time";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || benchmarkCase.Parameters["Shape"] is not string shape)
        {
            return "-";
        }

        double gflops = GemmShape.Parse(shape).Flops / statistics.Mean;
        if (!fractionOfPeak)
        {
            return gflops.ToString("F1", CultureInfo.InvariantCulture);
        }

        bool isDouble = benchmarkCase.Descriptor.Type.GetGenericArguments() is [var t] && t == typeof(double);
        var variables = benchmarkCase.Job.Environment.EnvironmentVariables ?? [];
        int width = variables.Any(v => v.Key == "DOTNET_EnableAVX") ? 128 : variables.Any(v => v.Key == "DOTNET_EnableAVX512") ? 256 : 512;
        int threads = benchmarkCase.Parameters["Threads"] is int n ? n : 1;
        double peak = FmaPeak.Gflops(width, isDouble) * threads;
        return (100 * gflops / peak).ToString("F0", CultureInfo.InvariantCulture) + " %";
    }
}
