using System.Runtime.InteropServices;

namespace FastBackprop.Benchmarks;

/// <summary>
/// OpenBLAS's cblas_sgemm / cblas_dgemm, loaded at run time from Debian's libopenblas.so.0 (perf/install-openblas.sh)
/// so the benchmarks still run, without the peer, where it is not installed.
/// </summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private static readonly nint Library = NativeLibrary.TryLoad("libopenblas.so.0", out nint handle) ? handle : 0;

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm =
        (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)Export("cblas_sgemm");

    private static readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> Dgemm =
        (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)Export("cblas_dgemm");

    private static readonly delegate* unmanaged<int, void> SetThreads = (delegate* unmanaged<int, void>)Export("openblas_set_num_threads");

    public static bool Available => Library != 0;

    public const string MissingMessage =
        "OpenBLAS (libopenblas.so.0) is not installed: the OpenBLAS rows are skipped. Run perf/install-openblas.sh to compare against it.";

    /// <summary>openblas_set_num_threads: the pthreads build otherwise uses every core.</summary>
    public static void SetThreadCount(int threads) => SetThreads(threads);

    public static void Multiply<T>(MatrixOp opA, MatrixOp opB, int m, int n, int k, T alpha, T[] a, int lda, T[] b, int ldb, T beta, T[] c, int ldc)
        where T : unmanaged
    {
        int transA = opA == MatrixOp.None ? NoTrans : Trans;
        int transB = opB == MatrixOp.None ? NoTrans : Trans;
        fixed (T* pa = a, pb = b, pc = c)
        {
            if (typeof(T) == typeof(float))
            {
                Sgemm(RowMajor, transA, transB, m, n, k, (float)(object)alpha, (float*)pa, lda, (float*)pb, ldb, (float)(object)beta, (float*)pc, ldc);
            }
            else
            {
                Dgemm(RowMajor, transA, transB, m, n, k, (double)(object)alpha, (double*)pa, lda, (double*)pb, ldb, (double)(object)beta, (double*)pc, ldc);
            }
        }
    }

    private static nint Export(string name) => Library != 0 && NativeLibrary.TryGetExport(Library, name, out nint address) ? address : 0;
}
