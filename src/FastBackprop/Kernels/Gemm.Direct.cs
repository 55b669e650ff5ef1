using FastBackprop.Buffers;
using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>The unpacked path for small problems with op(B) = B: kernels read A and B where they lie.</summary>
public static partial class Gemm
{
    /// <summary>Rows of the unpacked kernel's tallest tile (8, then 4, 2, 1): the thread split's row granule.</summary>
    private const int DirectRows = 8;

    /// <summary>
    /// C[rows r0..r1, cols c0..c1] by <see cref="GemmDirectKernel{TVec, T, TOps, TRows}"/>: one vector of columns
    /// at a time (its B strip stays in L1 while every row passes over it), rows in tiles of 8, then 4, 2, 1.
    /// The last, partial column strip is copied zero-padded into scratch, and its C tile goes through scratch,
    /// so no load or store leaves the caller's matrices. <paramref name="scratch"/> holds <c>DirectScratchBytes</c>.
    /// Each tile runs over <see cref="KBlocking"/>'s k blocks in order, so its elements get the packed path's bits.
    /// </summary>
    private static unsafe void RunDirect<T, TVec, TOps>(in GemmProblem<T> problem, int r0, int r1, int c0, int c1, byte* scratch, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        int k = problem.K;
        (int kBlocks, int depth) = KBlocking(k, blocks);
        (nint aRow, nint aK) = problem.OpA == MatrixOp.None ? (problem.Lda, (nint)1) : ((nint)1, problem.Lda);
        T* strip = (T*)scratch;
        T* tile = (T*)(scratch + PackWorkspace.Align((nuint)k * (nuint)v * (nuint)sizeof(T)));
        ClearEdgeTile(tile, DirectRows * v, problem.Beta);

        for (int j = c0; j < c1; j += v)
        {
            int width = Math.Min(v, c1 - j);
            T* b = problem.B + j;
            nint ldb = problem.Ldb;
            if (width < v)
            {
                PadEdgeStrip<T, TVec, TOps>(problem, j, width, strip);
                b = strip;
                ldb = v;
            }

            int i = r0;
            for (; i + 8 <= r1; i += 8)
            {
                DirectTile<T, TVec, TOps, Rows8>(problem, aRow, aK, i, j, width, b, ldb, tile, kBlocks, depth);
            }

            if (i + 4 <= r1)
            {
                DirectTile<T, TVec, TOps, Rows4>(problem, aRow, aK, i, j, width, b, ldb, tile, kBlocks, depth);
                i += 4;
            }

            if (i + 2 <= r1)
            {
                DirectTile<T, TVec, TOps, Rows2>(problem, aRow, aK, i, j, width, b, ldb, tile, kBlocks, depth);
                i += 2;
            }

            if (i < r1)
            {
                DirectTile<T, TVec, TOps, Rows1>(problem, aRow, aK, i, j, width, b, ldb, tile, kBlocks, depth);
            }
        }
    }

    /// <summary>
    /// Copies B's last, partial column strip, columns j..j+width of its k rows, into <paramref name="strip"/> zero-padded
    /// to whole vectors (row p at <c>strip[p·V]</c>). A row whose whole vector lies inside B's used extent,
    /// <c>(k − 1)·ldb + n</c> elements, is loaded whole and its lanes past the edge (the next row's values) replaced
    /// by zeros; the last rows, element by element. A span copy and a clear per k row took 1.7 µs at 8 × 10 × 256, twice
    /// the kernel's own 0.8 µs (Stopwatch, this Xeon, AVX-512).
    /// </summary>
    private static unsafe void PadEdgeStrip<T, TVec, TOps>(in GemmProblem<T> problem, int j, int width, T* strip)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        Span<T> laneIndex = stackalloc T[v];
        for (int q = 0; q < v; q++)
        {
            laneIndex[q] = T.CreateTruncating(q);
        }

        TVec inside = TOps.LessThan(TOps.Load(in laneIndex[0]), TOps.Create(T.CreateTruncating(width)));
        TVec zero = TOps.Create(T.Zero);
        T* b = problem.B + j;
        nint ldb = problem.Ldb;
        long extent = ((long)(problem.K - 1) * ldb) + problem.N;
        int p = 0;
        for (; p < problem.K && ((long)p * ldb) + j + v <= extent; p++)
        {
            TOps.Store(TOps.Select(inside, TOps.Load(in b[p * ldb]), zero), ref strip[p * v]);
        }

        for (; p < problem.K; p++)
        {
            for (int q = 0; q < v; q++)
            {
                strip[(p * v) + q] = q < width ? b[(p * ldb) + q] : T.Zero;
            }
        }
    }

    /// <summary>One TRows × V tile of C, k block by k block: β folds C in with the first block, later ones add to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void DirectTile<T, TVec, TOps, TRows>(
        in GemmProblem<T> problem, nint aRow, nint aK, int i, int j, int width, T* b, nint ldb, T* tile, int kBlocks, int depth)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TRows : struct, IRowCount
    {
        T* a = problem.A + (i * aRow);
        T* c = problem.C + (i * problem.Ldc) + j;
        bool full = width == TOps.Count;
        if (!full)
        {
            LoadEdgeTile(c, problem.Ldc, tile, TOps.Count, TRows.Value, width, problem.Beta);
        }

        for (int block = 0; block < kBlocks; block++)
        {
            int pc = block * depth;
            T beta = block == 0 ? problem.Beta : T.One;
            GemmDirectKernel<TVec, T, TOps, TRows>.Run(
                Math.Min(depth, problem.K - pc), a + (pc * aK), aRow, aK, b + (pc * ldb), ldb, full ? c : tile, full ? problem.Ldc : TOps.Count, problem.Alpha, beta);
        }

        if (!full)
        {
            CopyRows(tile, TOps.Count, c, problem.Ldc, TRows.Value, width);
        }
    }
}
