namespace FastBackprop;

public static partial class Gemm
{
    /// <summary>
    /// C = α·op(A)·op(B) + β·C four columns at a time, each row's four dot products of length k in registers: the
    /// path of a batch-1 output layer (1 × 500 · 500 × 2) and its weight gradient (500 × 1 · 1 × 2), where a
    /// vector of 16 lanes would hold 2 useful ones.
    /// </summary>
    private static unsafe void RunNarrow<T>(in GemmProblem<T> problem)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (nint aRow, nint aK) = problem.OpA == MatrixOp.None ? (problem.Lda, (nint)1) : ((nint)1, problem.Lda);
        (nint bK, nint bCol) = problem.OpB == MatrixOp.None ? (problem.Ldb, (nint)1) : ((nint)1, problem.Ldb);
        for (int j = 0; j < problem.N; j += NarrowColumns)
        {
            int width = Math.Min(NarrowColumns, problem.N - j);
            T* b = problem.B + (j * bCol);
            for (int i = 0; i < problem.M; i++)
            {
                NarrowRow(problem.K, problem.A + (i * aRow), aK, b, bK, bCol, width, problem.C + (i * problem.Ldc) + j, problem.Alpha, problem.Beta);
            }
        }
    }

    /// <summary>
    /// c[w] = α·Σₚ a[p·aK]·b[p·bK + w·bCol] + β·c[w] for w &lt; width ≤ 4; even and odd p feed separate sums, which
    /// halves the FMA latency chain of a long k. β = 0 does not read c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void NarrowRow<T>(int k, T* a, nint aK, T* b, nint bK, nint bCol, int width, T* c, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T even0 = T.Zero, even1 = T.Zero, even2 = T.Zero, even3 = T.Zero;
        T odd0 = T.Zero, odd1 = T.Zero, odd2 = T.Zero, odd3 = T.Zero;
        int p = 0;
        for (; p + 2 <= k; p += 2)
        {
            T first = a[p * aK];
            T second = a[(p + 1) * aK];
            T* row = b + (p * bK);
            T* next = row + bK;
            even0 = T.MultiplyAddEstimate(first, row[0], even0);
            odd0 = T.MultiplyAddEstimate(second, next[0], odd0);
            if (width > 1)
            {
                even1 = T.MultiplyAddEstimate(first, row[bCol], even1);
                odd1 = T.MultiplyAddEstimate(second, next[bCol], odd1);
            }

            if (width > 2)
            {
                even2 = T.MultiplyAddEstimate(first, row[2 * bCol], even2);
                odd2 = T.MultiplyAddEstimate(second, next[2 * bCol], odd2);
            }

            if (width > 3)
            {
                even3 = T.MultiplyAddEstimate(first, row[3 * bCol], even3);
                odd3 = T.MultiplyAddEstimate(second, next[3 * bCol], odd3);
            }
        }

        if (p < k)
        {
            T last = a[p * aK];
            T* row = b + (p * bK);
            even0 = T.MultiplyAddEstimate(last, row[0], even0);
            even1 = width > 1 ? T.MultiplyAddEstimate(last, row[bCol], even1) : even1;
            even2 = width > 2 ? T.MultiplyAddEstimate(last, row[2 * bCol], even2) : even2;
            even3 = width > 3 ? T.MultiplyAddEstimate(last, row[3 * bCol], even3) : even3;
        }

        StoreNarrow(c, alpha * (even0 + odd0), beta);
        if (width > 1)
        {
            StoreNarrow(c + 1, alpha * (even1 + odd1), beta);
        }

        if (width > 2)
        {
            StoreNarrow(c + 2, alpha * (even2 + odd2), beta);
        }

        if (width > 3)
        {
            StoreNarrow(c + 3, alpha * (even3 + odd3), beta);
        }
    }

    /// <summary>*c = product + β·*c, not reading *c when β = 0 (it may hold NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreNarrow<T>(T* c, T product, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        *c = beta == T.Zero ? product : T.MultiplyAddEstimate(beta, *c, product);
}
