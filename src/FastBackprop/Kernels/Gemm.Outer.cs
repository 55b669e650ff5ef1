using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// The path of k = 1, an outer product <c>C = α·a·bᵀ + β·C</c>: every weight gradient of a batch-1 step
/// (<c>Xᵀ·dY</c>, m × 1 · 1 × n).
/// </summary>
/// <remarks>
/// Each element is the whole of its chain and fold on every other path: <c>acc = a_i·b_j + 0</c> as one FMA, then
/// <c>c = acc·α</c> (β = 0) or <c>acc·α + β·c</c> (<see cref="GemmEpilogue"/>), so the bits are theirs. The kernels
/// built for k steps spent most of a batch-1 step's weight gradients setting tiles up: the unpacked path's strips
/// took 145 ns for TN 2×1×500, the tall path's tiles 205 ns for TN 500×1×2.
/// <list type="bullet">
/// <item>Rows of at least a vector run along the row: one broadcast of a_i, then a vector of op(B)'s only row at a
/// time, the last few columns one by one.</item>
/// <item>C of one or two columns stored end to end (ldc = n) runs over that flat block, a vector of op(A)'s column
/// at a time: for two columns each a_i is doubled in place (<see cref="IVectorOps{TVec, T}.Interleave"/>) against
/// b₀, b₁ repeated.</item>
/// </list>
/// </remarks>
public static partial class Gemm
{
    /// <summary>Whether <see cref="RunOuter"/> takes the product: k = 1, op(B)'s row contiguous, and C either wide or one or two columns end to end with op(A)'s column contiguous.</summary>
    private static bool OuterApplies<T>(in GemmProblem<T> problem)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (problem.K != 1 || (problem.OpB == MatrixOp.Transpose && problem.Ldb != 1))
        {
            return false;
        }

        int lanes = PathTable.Active.Lanes<T>();
        bool flatColumn = problem.OpA == MatrixOp.Transpose || problem.Lda == 1;
        return problem.N >= lanes || (lanes > 1 && problem.N <= 2 && problem.Ldc == problem.N && flatColumn);
    }

    /// <summary>Rows r0..r1 of C = α·op(A)·op(B) + β·C for k = 1 (<see cref="OuterApplies"/>).</summary>
    private static unsafe void RunOuter<T, TVec, TOps>(in GemmProblem<T> problem, int r0, int r1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        TVec alpha = TOps.Create(problem.Alpha);
        TVec beta = TOps.Create(problem.Beta);
        TVec zero = TOps.Create(T.Zero);
        bool overwrite = problem.Beta == T.Zero;
        T* b = problem.B;
        int n = problem.N;
        if (n >= v)
        {
            // op(A)[i, 0] = A[i·lda] (None) or A[i] (Transpose); op(B)[0, j] = B[j] either way (ldb = 1 for Bᵀ).
            nint aStep = problem.OpA == MatrixOp.None ? problem.Lda : 1;
            for (int i = r0; i < r1; i++)
            {
                T ai = problem.A[i * aStep];
                TVec broadcast = TOps.Create(ai);
                T* c = problem.C + (i * problem.Ldc);
                int j = 0;
                for (; j + v <= n; j += v)
                {
                    GemmEpilogue.Update<TVec, T, TOps>(TOps.MultiplyAdd(broadcast, TOps.Load(ref b[j]), zero), c + j, alpha, beta, overwrite);
                }

                for (; j < n; j++)
                {
                    OuterElement(ai, b[j], c + j, problem.Alpha, problem.Beta);
                }
            }

            return;
        }

        // C[r0..r1, 0..n) lies end to end from C + r0·n, and op(A)'s column from A + r0.
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

    /// <summary>One element of <see cref="RunOuter"/> in scalars: acc = a·b + 0, then the fold of <see cref="FoldNarrow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void OuterElement<T>(T a, T b, T* c, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        FoldNarrow(c, ScalarOps<T>.MultiplyAdd(a, b, T.Zero), T.Zero, hasSecond: false, alpha, beta);
}
