using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Gemm
{
    /// <summary>
    /// C = α·op(A)·op(B) + β·C four columns at a time, each row's four dot products of length k in registers: the
    /// path of a batch-1 output layer (1 × 500 · 500 × 2) and its weight gradient (500 × 1 · 1 × 2), where a
    /// vector of 16 lanes would hold 2 useful ones. Same arithmetic per element as the vector kernels
    /// (<see cref="KBlocking"/>), so a row's bits do not depend on whether its call took this path.
    /// </summary>
    private static unsafe void RunNarrow<T>(in GemmProblem<T> problem, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        NarrowRows(problem, 0, problem.M, blocks);

    /// <summary>Rows r0..r1 of C by the narrow kernel (also the last rows of the tall path, fewer than a vector).</summary>
    private static unsafe void NarrowRows<T>(in GemmProblem<T> problem, int r0, int r1, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (nint aRow, nint aK) = problem.OpA == MatrixOp.None ? (problem.Lda, (nint)1) : ((nint)1, problem.Lda);
        (nint bK, nint bCol) = problem.OpB == MatrixOp.None ? (problem.Ldb, (nint)1) : ((nint)1, problem.Ldb);
        (int kBlocks, int depth) = KBlocking(problem.K, blocks);
        for (int j = 0; j < problem.N; j += NarrowColumns)
        {
            int width = Math.Min(NarrowColumns, problem.N - j);
            T* b = problem.B + (j * bCol);
            for (int i = r0; i < r1; i++)
            {
                T* a = problem.A + (i * aRow);
                T* c = problem.C + (i * problem.Ldc) + j;
                // Two k blocks at a time: their chains are independent, which halves the FMA latency a long k waits on.
                for (int block = 0; block < kBlocks; block += 2)
                {
                    int pc = block * depth;
                    int firstDepth = Math.Min(depth, problem.K - pc);
                    int secondDepth = block + 1 < kBlocks ? Math.Min(depth, problem.K - pc - depth) : 0;
                    NarrowBlocks(a + (pc * aK), aK, b + (pc * bK), bK, bCol, width, firstDepth, secondDepth, c, problem.Alpha, block == 0 ? problem.Beta : T.One);
                }
            }
        }
    }

    /// <summary>
    /// Folds two consecutive k blocks of one row into c[w], w &lt; width ≤ 4: the first block's sums over
    /// p &lt; <paramref name="firstDepth"/> and the second's over the <paramref name="secondDepth"/> (≤ firstDepth, 0 for
    /// none) steps after it, each one FMA chain from 0 in order; then c = first·α + β·c and c = second·α + c, as
    /// <see cref="GemmEpilogue"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void NarrowBlocks<T>(T* a, nint aK, T* b, nint bK, nint bCol, int width, int firstDepth, int secondDepth, T* c, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T first0 = T.Zero, first1 = T.Zero, first2 = T.Zero, first3 = T.Zero;
        T second0 = T.Zero, second1 = T.Zero, second2 = T.Zero, second3 = T.Zero;
        T* a2 = a + (firstDepth * aK);
        T* b2 = b + (firstDepth * bK);
        for (int p = 0; p < firstDepth; p++)
        {
            T x = a[p * aK];
            T* row = b + (p * bK);
            first0 = ScalarOps<T>.MultiplyAdd(x, row[0], first0);
            first1 = width > 1 ? ScalarOps<T>.MultiplyAdd(x, row[bCol], first1) : first1;
            first2 = width > 2 ? ScalarOps<T>.MultiplyAdd(x, row[2 * bCol], first2) : first2;
            first3 = width > 3 ? ScalarOps<T>.MultiplyAdd(x, row[3 * bCol], first3) : first3;
            if (p < secondDepth)
            {
                T y = a2[p * aK];
                T* next = b2 + (p * bK);
                second0 = ScalarOps<T>.MultiplyAdd(y, next[0], second0);
                second1 = width > 1 ? ScalarOps<T>.MultiplyAdd(y, next[bCol], second1) : second1;
                second2 = width > 2 ? ScalarOps<T>.MultiplyAdd(y, next[2 * bCol], second2) : second2;
                second3 = width > 3 ? ScalarOps<T>.MultiplyAdd(y, next[3 * bCol], second3) : second3;
            }
        }

        FoldNarrow(c, first0, second0, secondDepth > 0, alpha, beta);
        if (width > 1)
        {
            FoldNarrow(c + 1, first1, second1, secondDepth > 0, alpha, beta);
        }

        if (width > 2)
        {
            FoldNarrow(c + 2, first2, second2, secondDepth > 0, alpha, beta);
        }

        if (width > 3)
        {
            FoldNarrow(c + 3, first3, second3, secondDepth > 0, alpha, beta);
        }
    }

    /// <summary>
    /// *c = first·α + β·*c (first·α alone when β = 0, so a NaN in c does not propagate), then, with a second block,
    /// *c = second·α + *c: the vector kernels' epilogue, block by block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FoldNarrow<T>(T* c, T first, T second, bool hasSecond, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T value = beta == T.Zero ? first * alpha : ScalarOps<T>.MultiplyAdd(first, alpha, beta * *c);
        *c = hasSecond ? ScalarOps<T>.MultiplyAdd(second, alpha, value) : value;
    }
}
