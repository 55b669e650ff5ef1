using System.Runtime.InteropServices;

namespace FastBackprop.Benchmarks;

/// <summary>
/// oneDNN's dnnl_sgemm, loaded at run time from Debian's libdnnl.so.2 (perf/install-onednn.sh) so the benchmarks
/// still run, without the peer, where it is not installed. oneDNN has no double GEMM (the header declares
/// dnnl_sgemm and integer and bfloat16 variants only), so it is a peer of the float benchmarks alone.
/// </summary>
/// <remarks>
/// From oneapi/dnnl/dnnl.h (2.6.3): <c>dnnl_status_t dnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N,
/// dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C,
/// dnnl_dim_t ldc)</c> computes C = α·op(A)·op(B) + β·C with op(A) M × K, op(B) K × N, every matrix row-major
/// ("the elements in each of the matrix rows are contiguous in memory"), so its arguments are Gemm.Multiply's in the
/// same order. dnnl_dim_t is int64_t; dnnl_status_t is an enum, 0 (dnnl_success) on success.
/// </remarks>
internal static unsafe class OneDnn
{
    private const byte NoTrans = (byte)'N';
    private const byte Trans = (byte)'T';

    /// <summary>dnnl_success.</summary>
    private const int Success = 0;

    private static readonly nint Library =
        NativeLibrary.TryLoad("libdnnl.so.2", out nint handle) || NativeLibrary.TryLoad("libdnnl.so", out handle) ? handle : 0;

    private static readonly delegate* unmanaged<byte, byte, long, long, long, float, float*, long, float*, long, float, float*, long, int> Sgemm =
        (delegate* unmanaged<byte, byte, long, long, long, float, float*, long, float*, long, float, float*, long, int>)Export("dnnl_sgemm");

    // Debian builds oneDNN on OpenMP (DNNL_CPU_RUNTIME = DNNL_RUNTIME_OMP in dnnl_config.h, libgomp.so.1) and it has no
    // thread setter of its own: every parallel region takes omp_get_max_threads() threads. The OpenMP runtime is a
    // dependency of libdnnl, so its exports are found through oneDNN's handle, whichever runtime that is.
    private static readonly delegate* unmanaged<int, void> SetOmpThreads = (delegate* unmanaged<int, void>)Export("omp_set_num_threads");

    private static readonly delegate* unmanaged<int> GetOmpMaxThreads = (delegate* unmanaged<int>)Export("omp_get_max_threads");

    public static bool Available => Sgemm != null && SetOmpThreads != null && GetOmpMaxThreads != null;

    public const string MissingMessage =
        "oneDNN (libdnnl.so.2) is not installed: the oneDNN rows are skipped. Run perf/install-onednn.sh to compare against it.";

    /// <summary>
    /// omp_set_num_threads: sets the calling thread's OpenMP thread count, which every later oneDNN call from this
    /// thread uses (BenchmarkDotNet runs a case's global setup and its workload on the same thread). Without it
    /// OpenMP uses every core.
    /// </summary>
    public static void SetThreadCount(int threads) => SetOmpThreads(threads);

    /// <summary>omp_get_max_threads: the thread count the next oneDNN call from this thread will use.</summary>
    public static int ThreadCount => GetOmpMaxThreads();

    /// <summary>C = α·op(A)·op(B) + β·C by dnnl_sgemm; the arguments are those of Gemm.Multiply (row-major, op(A) m × k).</summary>
    /// <exception cref="InvalidOperationException">dnnl_sgemm returned an error status.</exception>
    public static void Multiply(MatrixOp opA, MatrixOp opB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        byte transA = opA == MatrixOp.None ? NoTrans : Trans;
        byte transB = opB == MatrixOp.None ? NoTrans : Trans;
        int status;
        fixed (float* pa = a, pb = b, pc = c)
        {
            status = Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }

        if (status != Success)
        {
            throw new InvalidOperationException($"dnnl_sgemm({(char)transA}, {(char)transB}, m={m}, n={n}, k={k}, lda={lda}, ldb={ldb}, ldc={ldc}) returned status {status}.");
        }
    }

    private static nint Export(string name) => Library != 0 && NativeLibrary.TryGetExport(Library, name, out nint address) ? address : 0;
}
