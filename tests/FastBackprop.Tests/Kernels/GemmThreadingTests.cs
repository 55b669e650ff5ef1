using System.Reflection;

namespace FastBackprop.Tests.Kernels;

/// <summary>Threads split rows or columns of C, never k: results are bit-identical for every thread count, and no call allocates.</summary>
/// <remarks>
/// Not run beside other tests: the process-wide allocation count would see their allocations. The thread cap is
/// raised to 3 meanwhile, so the splits asked for happen on machines with fewer cores too.
/// </remarks>
[Collection(nameof(GemmThreadingTests))]
[CollectionDefinition(nameof(GemmThreadingTests), DisableParallelization = true)]
public sealed class GemmThreadingTests : IDisposable
{
    private readonly int _cap = Parallelism.MaxThreads;

    public GemmThreadingTests() => Parallelism.MaxThreads = 3;

    public void Dispose() => Parallelism.MaxThreads = _cap;

    [Theory]
    [InlineData(MatrixOp.None, MatrixOp.None, false)]
    [InlineData(MatrixOp.None, MatrixOp.Transpose, false)]
    [InlineData(MatrixOp.Transpose, MatrixOp.None, false)]
    [InlineData(MatrixOp.Transpose, MatrixOp.Transpose, false)]
    [InlineData(MatrixOp.None, MatrixOp.None, true)]
    [InlineData(MatrixOp.Transpose, MatrixOp.None, true)]
    public void Results_are_bit_identical_for_1_2_and_3_threads(MatrixOp opA, MatrixOp opB, bool unpacked)
    {
        GemmStrategy strategy = unpacked ? GemmStrategy.Direct : GemmStrategy.Packed;
        foreach ((int m, int n, int k) in new[] { (131, 97, 300), (40, 263, 70), (200, 30, 90) })
        {
            float[] one = GemmReference.Check<float>(opA, opB, m, n, k, 1.5, 0.5, pad: 1, seed: m, threads: 1, strategy: strategy);
            double[] oneD = GemmReference.Check<double>(opA, opB, m, n, k, 1, 0, pad: 2, seed: n, threads: 1, strategy: strategy);
            foreach (int threads in new[] { 2, 3 })
            {
                Assert.Equal(one, GemmReference.Check<float>(opA, opB, m, n, k, 1.5, 0.5, pad: 1, seed: m, threads: threads, strategy: strategy));
                Assert.Equal(oneD, GemmReference.Check<double>(opA, opB, m, n, k, 1, 0, pad: 2, seed: n, threads: threads, strategy: strategy));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Steady_state_calls_allocate_nothing(int threads)
    {
        var shapes = new (int M, int N, int K, MatrixOp OpA, MatrixOp OpB)[]
        {
            (1, 500, 2, MatrixOp.None, MatrixOp.None),
            (64, 10, 256, MatrixOp.None, MatrixOp.None),
            (96, 130, 70, MatrixOp.Transpose, MatrixOp.Transpose),
            (70, 200, 90, MatrixOp.None, MatrixOp.Transpose),
        };
        foreach (var (m, n, k, opA, opB) in shapes)
        {
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            float[] c = new float[m * n];
            double[] ad = new double[m * k];
            double[] bd = new double[k * n];
            double[] cd = new double[m * n];
            int lda = opA == MatrixOp.None ? k : m;
            int ldb = opB == MatrixOp.None ? n : k;
            // Tiered compilation allocates on the calling thread while it swaps in optimized code, so the first
            // windows may see a few hundred bytes; steady state is a window of calls that allocates nothing.
            long thisThread = -1;
            long allThreads = -1;
            for (int window = 0; window < 100 && (thisThread != 0 || allThreads != 0); window++)
            {
                long threadBefore = GC.GetAllocatedBytesForCurrentThread();
                long totalBefore = GC.GetTotalAllocatedBytes(precise: true);
                for (int call = 0; call < 20; call++)
                {
                    Gemm.Multiply(opA, opB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads);
                    Gemm.Multiply(opA, opB, m, n, k, 1d, ad, lda, bd, ldb, 1d, cd, n, threads);
                }

                thisThread = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
                allThreads = GC.GetTotalAllocatedBytes(precise: true) - totalBefore;
            }

            Assert.Equal(0, thisThread);
            Assert.Equal(0, allThreads);
        }
    }

    /// <summary>
    /// The packed path's register-tile kernels keep their own method bodies: dynamic PGO once inlined the 6×2V kernel
    /// into the packed driver's hot call site after ~2 s of two-thread calls, its own callees stopped inlining, and NN
    /// 64×784×256 on two AVX2 threads went from 140 µs to 1.5 ms a call. A refactor that drops NoInlining fails here.
    /// (The unpacked path's kernel may inline: NN 1×2×500 takes 0.19 µs inlined, 0.23 µs called.)
    /// </summary>
    [Fact]
    public void Packed_register_tile_kernels_are_never_inlined_into_their_callers()
    {
        Type[] kernels =
        [
            typeof(GemmMicrokernel6x2V<Vector256<float>, float, FastBackprop.Simd.Vector256Ops<float>>),
            typeof(GemmMicrokernel6x4V<Vector512<float>, float, FastBackprop.Simd.Vector512Ops<float>>),
        ];
        foreach (Type kernel in kernels)
        {
            MethodImplAttributes flags = kernel.GetMethod("Run")!.MethodImplementationFlags;
            Assert.True(flags.HasFlag(MethodImplAttributes.NoInlining), $"{kernel.Name}.Run is {flags}");
        }
    }
}
