using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// The path of the shortest k: k = 1, an outer product <c>C = α·a·bᵀ + β·C</c> (every weight gradient of a batch-1
/// step, <c>Xᵀ·dY</c>, m × 1 · 1 × n), and k = 2 for fewer rows than an unpacked tile (a 2-input layer's <c>X·W</c>
/// and a 2-output layer's <c>dY·Wᵀ</c> at batch 1).
/// </summary>
/// <remarks>
/// Each element is the whole of its chain and fold on every other path: <c>acc = a_i0·b_0j + 0</c> as one FMA (and
/// <c>acc = a_i1·b_1j + acc</c> for k = 2), then <c>c = acc·α</c> (β = 0) or <c>acc·α + β·c</c>
/// (<see cref="GemmEpilogue"/>), so the bits are theirs. The kernels built for k steps spent most of these products
/// setting tiles up: the unpacked path's strips took 145 ns for TN 2×1×500 and 123 ns for NN 1×2×500, the tall
/// path's tiles 205 ns for TN 500×1×2, and NT 1×2×500 transposed B into scratch first (191 ns).
/// <list type="bullet">
/// <item>Rows of at least a vector run along the row: a broadcast of each a_ip, then a vector of op(B)'s rows at a
/// time, the last few columns one by one. op(B) = Bᵀ with k = 2 and B's rows end to end (ldb = 2) splits a vector
/// pair into op(B)'s two rows as it goes (<see cref="IVectorOps{TVec, T}.Deinterleave"/>).</item>
/// <item>For k = 1, C of one or two columns stored end to end (ldc = n) runs over that flat block, a vector of
/// op(A)'s column at a time: for two columns each a_i is doubled in place (<see cref="IVectorOps{TVec, T}.Interleave"/>)
/// against b₀, b₁ repeated.</item>
/// </list>
/// </remarks>
public static partial class Gemm
{
    /// <summary>
    /// Whether <see cref="RunShortK"/> takes the product: k = 1 with op(B)'s row contiguous and C either wide or one or
    /// two columns end to end with op(A)'s column contiguous; or k = 2 for fewer than <see cref="DirectRows"/> wide
    /// rows with op(B)'s rows plain or end to end.
    /// </summary>
    private static bool ShortKApplies<T>(in GemmProblem<T> problem)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = PathTable.Active.Lanes<T>();
        if (problem.K == 2)
        {
            // Fewer rows than one unpacked tile: from DirectRows on its tiles share each load of B among their rows (NN
            // 16×2×500 747–775 ns there against 977–997 here), below it this kernel won (NN 3×2×500 140–247 against
            // 305–323 ns, NT 6×2×500 363–368 against 463–465; Zen 4, AVX-512, Stopwatch).
            return problem.M < DirectRows && problem.N >= lanes && (problem.OpB == MatrixOp.None || problem.Ldb == 2);
        }

        if (problem.K != 1 || (problem.OpB == MatrixOp.Transpose && problem.Ldb != 1))
        {
            return false;
        }

        bool flatColumn = problem.OpA == MatrixOp.Transpose || problem.Lda == 1;
        return problem.N >= lanes || (lanes > 1 && problem.N <= 2 && problem.Ldc == problem.N && flatColumn);
    }

    /// <summary>Rows r0..r1 of C = α·op(A)·op(B) + β·C for k of 1 or 2 (<see cref="ShortKApplies"/>).</summary>
    private static unsafe void RunShortK<T, TVec, TOps>(in GemmProblem<T> problem, int r0, int r1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        int n = problem.N;
        if (n >= v)
        {
            ShortKRows<T, TVec, TOps>(problem, r0, r1);
            return;
        }

        // k = 1 (ShortKApplies): C[r0..r1, 0..n) lies end to end from C + r0·n, and op(A)'s column from A + r0.
        TVec alpha = TOps.Create(problem.Alpha);
        TVec beta = TOps.Create(problem.Beta);
        TVec zero = TOps.Create(T.Zero);
        bool overwrite = problem.Beta == T.Zero;
        T* b = problem.B;
        T* a = problem.A + r0;
        T* flat = problem.C + (r0 * n);
        int rows = r1 - r0;
        int r = 0;
        if (n == 1)
        {
            TVec b0 = TOps.Create(b[0]);
            for (; r + v <= rows; r += v)
            {
                GemmEpilogue.Update<TVec, T, TOps>(TOps.MultiplyAdd(TOps.Load(ref a[r]), b0, zero), flat + r, alpha, beta, overwrite);
            }
        }
        else
        {
            // [b₀, b₁, b₀, b₁, …] against [a_r, a_r, a_r+1, a_r+1, …]: element 2r + q of the flat block is a_r·b_q.
            TOps.Interleave(TOps.Create(b[0]), TOps.Create(b[1]), out TVec pairs, out _);
            for (; r + v <= rows; r += v)
            {
                TVec column = TOps.Load(ref a[r]);
                TOps.Interleave(column, column, out TVec lower, out TVec upper);
                GemmEpilogue.Update<TVec, T, TOps>(TOps.MultiplyAdd(lower, pairs, zero), flat + (2 * r), alpha, beta, overwrite);
                GemmEpilogue.Update<TVec, T, TOps>(TOps.MultiplyAdd(upper, pairs, zero), flat + (2 * r) + v, alpha, beta, overwrite);
            }
        }

        for (; r < rows; r++)
        {
            for (int q = 0; q < n; q++)
            {
                OuterElement(a[r], b[q], flat + (r * n) + q, problem.Alpha, problem.Beta);
            }
        }
    }

    /// <summary>
    /// Rows r0..r1 of a C at least a vector wide, k of 1 or 2: op(A)[i, p] = A[i·lda + p] (None) or A[p·lda + i]
    /// (Transpose); op(B)[p, j] = B[p·ldb + j] (None; for k = 1 also Bᵀ with ldb = 1) or B[2j + p] (Bᵀ, ldb = 2).
    /// </summary>
    private static unsafe void ShortKRows<T, TVec, TOps>(in GemmProblem<T> problem, int r0, int r1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        TVec alpha = TOps.Create(problem.Alpha);
        TVec beta = TOps.Create(problem.Beta);
        TVec zero = TOps.Create(T.Zero);
        bool overwrite = problem.Beta == T.Zero;
        bool two = problem.K == 2;
        bool pairs = two && problem.OpB == MatrixOp.Transpose;
        (nint aRow, nint aK) = problem.OpA == MatrixOp.None ? (problem.Lda, (nint)1) : ((nint)1, problem.Lda);
        T* b = problem.B;
        T* b1 = problem.B + problem.Ldb;
        int n = problem.N;
        for (int i = r0; i < r1; i++)
        {
            T a0 = problem.A[i * aRow];
            T a1 = two ? problem.A[(i * aRow) + aK] : T.Zero;
            TVec broadcast0 = TOps.Create(a0);
            TVec broadcast1 = TOps.Create(a1);
            T* c = problem.C + (i * problem.Ldc);
            int j = 0;
            for (; j + v <= n; j += v)
            {
                TVec row0, row1;
                if (pairs)
                {
                    TOps.Deinterleave(TOps.Load(ref b[2 * j]), TOps.Load(ref b[(2 * j) + v]), out row0, out row1);
                }
                else
                {
                    row0 = TOps.Load(ref b[j]);
                    row1 = two ? TOps.Load(ref b1[j]) : zero;
                }

                TVec acc = TOps.MultiplyAdd(broadcast0, row0, zero);
                acc = two ? TOps.MultiplyAdd(broadcast1, row1, acc) : acc;
                GemmEpilogue.Update<TVec, T, TOps>(acc, c + j, alpha, beta, overwrite);
            }

            for (; j < n; j++)
            {
                T acc = ScalarOps<T>.MultiplyAdd(a0, pairs ? b[2 * j] : b[j], T.Zero);
                acc = two ? ScalarOps<T>.MultiplyAdd(a1, pairs ? b[(2 * j) + 1] : b1[j], acc) : acc;
                FoldNarrow(c + j, acc, T.Zero, hasSecond: false, problem.Alpha, problem.Beta);
            }
        }
    }

    /// <summary>One element of a k = 1 product in scalars: acc = a·b + 0, then the fold of <see cref="FoldNarrow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void OuterElement<T>(T a, T b, T* c, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        FoldNarrow(c, ScalarOps<T>.MultiplyAdd(a, b, T.Zero), T.Zero, hasSecond: false, alpha, beta);
}
