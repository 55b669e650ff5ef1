using FastBackprop.Buffers;
using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// The path of a tall, narrow C (n ≤ 4 columns, more rows than the narrow path takes): vectors run down the rows.
/// </summary>
/// <remarks>
/// A vector across C's rows wastes 14 of 16 lanes on a 2-column C (the output layer of 2-500-2, its weight gradient
/// 500 × 64 · 64 × 2). Here a lane is a row: a tile is R vectors of rows by up to four columns, and each k step is R
/// loads of op(A)'s column p, one broadcast of op(B)[p, q] per column and R·width FMAs.
/// <list type="bullet">
/// <item>op(A) = Aᵀ: column p of op(A) is row p of A, read where it lies.</item>
/// <item>op(A) = A: the tile's rows of A are transposed into scratch for each k block (8 × 8 AVX transposes where
/// the path has them), so the column is contiguous there.</item>
/// </list>
/// Each element is one FMA chain per k block over p in order, folded into C as the other kernels fold it
/// (<see cref="KBlocking"/>): its bits are those of the narrow, unpacked and packed paths.
/// </remarks>
public static partial class Gemm
{
    /// <summary>
    /// Rows of a tall tile. op(A) = Aᵀ reads the tile's columns where they lie and takes
    /// <see cref="SimdPathRow.MicrokernelVectors"/> vectors: its accumulators (that many vectors × 4 columns) fit the
    /// register budget the packed microkernel (6 × that many vectors) is sized for. op(A) = A transposes a k block of
    /// the tile's rows into scratch first, and takes at most two vectors: four vectors of float at k blocks of 125–128
    /// steps made that block 32 KiB, all of a Zen 4's L1d, and NN 64×500×2 ran 4.56 µs against 3.5–3.9 µs with two
    /// (NN 256×500×2 18.0 → 14.5 µs, NN 64×300×4 3.83 → 3.33 µs); with Aᵀ, where nothing is staged, four stayed faster
    /// (TN 500×64×2 2.03 against 2.2–2.3 µs). Each element's chain is the same whatever the tile's height.
    /// </summary>
    private static int TallRows<T>(MatrixOp opA)
        where T : unmanaged
    {
        ref readonly SimdPathRow path = ref PathTable.Active;
        int vectors = opA == MatrixOp.None ? Math.Min(path.MicrokernelVectors, 2) : path.MicrokernelVectors;
        return vectors * path.Lanes<T>();
    }

    /// <summary>
    /// Scratch of the tall path: a k block of one tile's rows of op(A), column by column: a whole tile's transposed
    /// rows when op(A) = A, the zero-padded vector of the last rows (<see cref="PadTallColumns"/>) when op(A) = Aᵀ.
    /// </summary>
    private static unsafe nuint TallScratchBytes<T>(in GemmProblem<T> problem, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = problem.OpA == MatrixOp.None ? TallRows<T>(problem.OpA) : PathTable.Active.Lanes<T>();
        return (nuint)(rows * KBlocking(problem.K, blocks).Depth * sizeof(T));
    }

    /// <summary>
    /// Rows r0..r1 of C: whole tiles, then single vectors of rows, then the last rows (fewer than a vector). Within
    /// one k block those take one vector zero-padded past them, where the narrow path spent ≈ 14 ns a row at k = 1:
    /// TN 500×64×2 (2-500-2's output-layer weight gradient at batch 64) 2.25 → 2.0–2.06 µs, TN 20×1×3 134 → 105 ns
    /// (Zen 4, AVX-512; a k = 1 product of one or two columns end to end takes the short-k path instead). Over
    /// several k blocks the tile runs them one after the other, and the narrow path, which runs up to four at once,
    /// stays faster (NN 100×500×2 6.4–6.6 µs against 7.3–7.6 with the tile).
    /// </summary>
    private static unsafe void RunTall<T, TVec, TOps>(in GemmProblem<T> problem, int r0, int r1, byte* scratch, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        int tileRows = TallRows<T>(problem.OpA);
        T* sums = stackalloc T[4 * v];
        int i = r0;
        if (tileRows == 4 * v)
        {
            for (; i + tileRows <= r1; i += tileRows)
            {
                TallTile<T, TVec, TOps, Rows4>(problem, i, tileRows, (T*)scratch, sums, blocks);
            }
        }
        else if (tileRows == 2 * v)
        {
            for (; i + tileRows <= r1; i += tileRows)
            {
                TallTile<T, TVec, TOps, Rows2>(problem, i, tileRows, (T*)scratch, sums, blocks);
            }
        }

        for (; i + v <= r1; i += v)
        {
            TallTile<T, TVec, TOps, Rows1>(problem, i, v, (T*)scratch, sums, blocks);
        }

        if (i == r1)
        {
            return;
        }

        if (KBlocking(problem.K, blocks).Count == 1)
        {
            TallTile<T, TVec, TOps, Rows1>(problem, i, r1 - i, (T*)scratch, sums, blocks);
            return;
        }

        NarrowRows(problem, i, r1, blocks);
    }

    /// <summary>
    /// C[i..i + rows, 0..n), k block by k block, four columns at a time: a whole tile (rows = TRows·V) or, with
    /// TRows = 1, the last rows (fewer than V), whose lanes past them compute zeros that are not stored. <paramref name="sums"/>
    /// holds 4·V elements for the fold.
    /// </summary>
    private static unsafe void TallTile<T, TVec, TOps, TRows>(in GemmProblem<T> problem, int i, int rows, T* scratch, T* sums, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TRows : struct, IRowCount
    {
        int tileRows = TRows.Value * TOps.Count;
        (nint bK, nint bCol) = problem.OpB == MatrixOp.None ? (problem.Ldb, (nint)1) : ((nint)1, problem.Ldb);
        (int kBlocks, int depth) = KBlocking(problem.K, blocks);
        for (int block = 0; block < kBlocks; block++)
        {
            int pc = block * depth;
            int blockDepth = Math.Min(depth, problem.K - pc);
            T* columns;
            nint columnStride;
            if (rows < tileRows)
            {
                PadTallColumns(problem, i, rows, pc, blockDepth, tileRows, scratch);
                columns = scratch;
                columnStride = tileRows;
            }
            else if (problem.OpA == MatrixOp.Transpose)
            {
                columns = problem.A + (pc * problem.Lda) + i;
                columnStride = problem.Lda;
            }
            else
            {
                TransposeRows<T, TVec, TOps>(problem.A + (i * problem.Lda) + pc, problem.Lda, rows, blockDepth, scratch);
                columns = scratch;
                columnStride = rows;
            }

            T beta = block == 0 ? problem.Beta : T.One;
            for (int j = 0; j < problem.N; j += NarrowColumns)
            {
                TallBlock<T, TVec, TOps, TRows>(
                    columns, columnStride, blockDepth, problem.B + (pc * bK) + (j * bCol), bK, bCol, Math.Min(NarrowColumns, problem.N - j),
                    problem.C + (i * problem.Ldc) + j, problem.Ldc, rows, problem.Alpha, beta, sums);
            }
        }
    }

    /// <summary>
    /// <c>columns[p·lanes + r] = op(A)[i + r, pc + p]</c> for r &lt; rows and 0 for rows ≤ r &lt; lanes, p &lt; depth: the
    /// last rows of C, fewer than a vector, as one zero-padded vector per k step. Reads only those rows of A.
    /// </summary>
    private static unsafe void PadTallColumns<T>(in GemmProblem<T> problem, int i, int rows, int pc, int depth, int lanes, T* columns)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        new Span<T>(columns, depth * lanes).Clear();
        if (problem.OpA == MatrixOp.Transpose)
        {
            // op(A)[i + r, pc + p] = A[pc + p, i + r]: k step p's values lie side by side in row pc + p of A.
            for (int p = 0; p < depth; p++)
            {
                new ReadOnlySpan<T>(problem.A + ((pc + p) * problem.Lda) + i, rows).CopyTo(new Span<T>(columns + (p * lanes), rows));
            }

            return;
        }

        for (int r = 0; r < rows; r++)
        {
            T* row = problem.A + ((i + r) * problem.Lda) + pc;
            for (int p = 0; p < depth; p++)
            {
                columns[(p * lanes) + r] = row[p];
            }
        }
    }

    /// <summary>
    /// One k block of a TRows-vector × width tile (width ≤ 4): <c>acc[r, q] = Σ_p column_p[r]·b[p·bK + q·bCol]</c>,
    /// one FMA chain from 0 per element, then <c>c = acc·α + β·c</c> as <see cref="FoldNarrow"/> folds it, for the
    /// tile's first <paramref name="rows"/> rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TallBlock<T, TVec, TOps, TRows>(
        T* columns, nint columnStride, int depth, T* b, nint bK, nint bCol, int width, T* c, nint ldc, int rows, T alpha, T beta, T* sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TRows : struct, IRowCount
    {
        int v = TOps.Count;
        TVec c00 = TOps.Create(T.Zero), c01 = c00, c02 = c00, c03 = c00;
        TVec c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        TVec c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        TVec c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < depth; p++)
        {
            T* row = b + (p * bK);
            TVec x0 = TOps.Load(ref columns[0]);
            TVec x1 = TRows.Value > 1 ? TOps.Load(ref columns[v]) : x0;
            TVec x2 = TRows.Value > 2 ? TOps.Load(ref columns[2 * v]) : x0;
            TVec x3 = TRows.Value > 2 ? TOps.Load(ref columns[3 * v]) : x0;
            TallStep<T, TVec, TOps, TRows>(TOps.Create(row[0]), x0, x1, x2, x3, ref c00, ref c10, ref c20, ref c30);
            if (width > 1)
            {
                TallStep<T, TVec, TOps, TRows>(TOps.Create(row[bCol]), x0, x1, x2, x3, ref c01, ref c11, ref c21, ref c31);
            }

            if (width > 2)
            {
                TallStep<T, TVec, TOps, TRows>(TOps.Create(row[2 * bCol]), x0, x1, x2, x3, ref c02, ref c12, ref c22, ref c32);
            }

            if (width > 3)
            {
                TallStep<T, TVec, TOps, TRows>(TOps.Create(row[3 * bCol]), x0, x1, x2, x3, ref c03, ref c13, ref c23, ref c33);
            }

            columns += columnStride;
        }

        if (ldc == width && width <= 2 && rows == TRows.Value * v)
        {
            FoldContiguous<T, TVec, TOps, TRows>(c00, c10, c20, c30, c01, c11, c21, c31, width == 2, c, alpha, beta);
            return;
        }

        TallColumn<T, TVec, TOps, TRows>(c00, c10, c20, c30, c, ldc, rows, alpha, beta, sums);
        if (width > 1)
        {
            TallColumn<T, TVec, TOps, TRows>(c01, c11, c21, c31, c + 1, ldc, rows, alpha, beta, sums);
        }

        if (width > 2)
        {
            TallColumn<T, TVec, TOps, TRows>(c02, c12, c22, c32, c + 2, ldc, rows, alpha, beta, sums);
        }

        if (width > 3)
        {
            TallColumn<T, TVec, TOps, TRows>(c03, c13, c23, c33, c + 3, ldc, rows, alpha, beta, sums);
        }
    }

    /// <summary>acc_r = x_r·w + acc_r for the tile's TRows vectors of rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TallStep<T, TVec, TOps, TRows>(TVec w, TVec x0, TVec x1, TVec x2, TVec x3, ref TVec acc0, ref TVec acc1, ref TVec acc2, ref TVec acc3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TRows : struct, IRowCount
    {
        acc0 = TOps.MultiplyAdd(x0, w, acc0);
        if (TRows.Value > 1)
        {
            acc1 = TOps.MultiplyAdd(x1, w, acc1);
        }

        if (TRows.Value > 2)
        {
            acc2 = TOps.MultiplyAdd(x2, w, acc2);
            acc3 = TOps.MultiplyAdd(x3, w, acc3);
        }
    }

    /// <summary>
    /// Folds a tile whose C rows lie end to end (ldc = width ≤ 2, the trainer's 1- and 2-output layers): one column
    /// is TRows whole vectors of C; two columns, interleaved, are 2·TRows. Lane by lane the fold is
    /// <see cref="FoldNarrow"/>'s, so the bits are those of the element-wise fold, which cost ≈ 15 instructions a
    /// value (most of the 500 × 2 weight gradient at batch 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FoldContiguous<T, TVec, TOps, TRows>(
        TVec first0, TVec first1, TVec first2, TVec first3, TVec second0, TVec second1, TVec second2, TVec second3, bool pairs, T* c, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TRows : struct, IRowCount
    {
        int v = TOps.Count;
        TVec va = TOps.Create(alpha);
        TVec vb = TOps.Create(beta);
        bool overwrite = beta == T.Zero;
        if (!pairs)
        {
            GemmEpilogue.Update<TVec, T, TOps>(first0, c, va, vb, overwrite);
            if (TRows.Value > 1)
            {
                GemmEpilogue.Update<TVec, T, TOps>(first1, c + v, va, vb, overwrite);
            }

            if (TRows.Value > 2)
            {
                GemmEpilogue.Update<TVec, T, TOps>(first2, c + (2 * v), va, vb, overwrite);
                GemmEpilogue.Update<TVec, T, TOps>(first3, c + (3 * v), va, vb, overwrite);
            }

            return;
        }

        FoldPair<T, TVec, TOps>(first0, second0, c, va, vb, overwrite);
        if (TRows.Value > 1)
        {
            FoldPair<T, TVec, TOps>(first1, second1, c + (2 * v), va, vb, overwrite);
        }

        if (TRows.Value > 2)
        {
            FoldPair<T, TVec, TOps>(first2, second2, c + (4 * v), va, vb, overwrite);
            FoldPair<T, TVec, TOps>(first3, second3, c + (6 * v), va, vb, overwrite);
        }
    }

    /// <summary>Rows r..r+V of a two-column C, stored as 2·V values from <paramref name="c"/>: the two columns' sums interleaved, then folded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FoldPair<T, TVec, TOps>(TVec first, TVec second, T* c, TVec alpha, TVec beta, bool overwrite)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        TOps.Interleave(first, second, out TVec lower, out TVec upper);
        GemmEpilogue.Update<TVec, T, TOps>(lower, c, alpha, beta, overwrite);
        GemmEpilogue.Update<TVec, T, TOps>(upper, c + TOps.Count, alpha, beta, overwrite);
    }

    /// <summary>Folds the first <paramref name="rows"/> of one column's TRows vectors of sums into C's column at <paramref name="c"/>, row stride ldc, through <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TallColumn<T, TVec, TOps, TRows>(TVec acc0, TVec acc1, TVec acc2, TVec acc3, T* c, nint ldc, int rows, T alpha, T beta, T* sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TRows : struct, IRowCount
    {
        int v = TOps.Count;
        TOps.Store(acc0, ref sums[0]);
        if (TRows.Value > 1)
        {
            TOps.Store(acc1, ref sums[v]);
        }

        if (TRows.Value > 2)
        {
            TOps.Store(acc2, ref sums[2 * v]);
            TOps.Store(acc3, ref sums[3 * v]);
        }

        for (int r = 0; r < rows; r++)
        {
            FoldNarrow(c + (r * ldc), sums[r], T.Zero, hasSecond: false, alpha, beta);
        }
    }
}
