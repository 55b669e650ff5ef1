using System.Reflection;

using BenchmarkDotNet.Attributes;

using FastBackprop.Benchmarks;

namespace FastBackprop.Perf.Tests;

/// <summary>A theory that xunit skips, saying why, where oneDNN (libdnnl.so.2) is not installed.</summary>
public sealed class OneDnnTheoryAttribute : TheoryAttribute
{
    public OneDnnTheoryAttribute()
    {
        if (!OneDnn.Available)
        {
            Skip = OneDnn.MissingMessage;
        }
    }
}

/// <summary>A fact that xunit skips, saying why, where oneDNN (libdnnl.so.2) is not installed.</summary>
public sealed class OneDnnFactAttribute : FactAttribute
{
    public OneDnnFactAttribute()
    {
        if (!OneDnn.Available)
        {
            Skip = OneDnn.MissingMessage;
        }
    }
}

public class OneDnnTests
{
    /// <summary>
    /// Above 512³ a case costs seconds on the scalar path CI also runs; the larger squares are NN like 256³ and 512³,
    /// so they add no op or stride mapping (the benchmark's own setup checks them before timing).
    /// </summary>
    private const double LargestCheckedWork = 512.0 * 512 * 512;

    /// <summary>Every shape GemmBenchmarks times up to <see cref="LargestCheckedWork"/>, read from its [Params], at one and two threads.</summary>
    public static TheoryData<string, int> SuiteShapes()
    {
        var data = new TheoryData<string, int>();
        foreach (string shape in BenchmarkShapes().Where(s => GemmShape.Parse(s).Flops / 2 <= LargestCheckedWork))
        {
            data.Add(shape, 1);
            data.Add(shape, 2);
        }

        return data;
    }

    private static IEnumerable<string> BenchmarkShapes() =>
        typeof(GemmBenchmarks<float>).GetProperty(nameof(GemmBenchmarks<float>.Shape))!.GetCustomAttribute<ParamsAttribute>()!.Values.Cast<string>();

    private static (float[] A, float[] B) RandomOperands(GemmShape shape, int seed)
    {
        var random = new Random(seed);
        float[] a = [.. Enumerable.Range(0, shape.M * shape.K).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] b = [.. Enumerable.Range(0, shape.K * shape.N).Select(_ => (float)(random.NextDouble() - 0.5))];
        return (a, b);
    }

    [OneDnnTheory]
    [MemberData(nameof(SuiteShapes))]
    public void Sgemm_equals_Gemm_Multiply_on_every_shape_and_transpose_of_the_suite(string text, int threads)
    {
        GemmShape shape = GemmShape.Parse(text);
        (float[] a, float[] b) = RandomOperands(shape, seed: 42);
        OneDnn.SetThreadCount(threads);

        GemmAgreement.Verify("oneDNN", shape, a, b, c => OneDnn.Multiply(shape.OpA, shape.OpB, shape.M, shape.N, shape.K, 1f, a, shape.Lda, b, shape.Ldb, 0f, c, shape.N));
    }

    [OneDnnFact]
    public void Thread_count_set_on_a_thread_is_what_the_next_call_from_it_uses()
    {
        OneDnn.SetThreadCount(1);
        Assert.Equal(1, OneDnn.ThreadCount);
        OneDnn.SetThreadCount(2);
        Assert.Equal(2, OneDnn.ThreadCount);
    }

    [OneDnnFact]
    public void An_error_status_is_an_exception_naming_the_call()
    {
        // lda = 1 < k: dnnl_sgemm rejects it (dnnl_invalid_arguments) before touching memory.
        var e = Assert.Throws<InvalidOperationException>(() => OneDnn.Multiply(MatrixOp.None, MatrixOp.None, 4, 4, 4, 1f, new float[16], 1, new float[16], 4, 0f, new float[16], 4));

        Assert.Contains("dnnl_sgemm(N, N, m=4, n=4, k=4, lda=1", e.Message);
    }

    [Fact]
    public void Every_shape_of_the_suite_is_also_the_text_it_was_parsed_from()
    {
        Assert.All(BenchmarkShapes(), text => Assert.Equal(text, GemmShape.Parse(text).ToString()));
    }
}
