using FastBackprop.Buffers;
using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// The unpacked path for small problems: kernels read A and B where they lie, or, with op(B) = Bᵀ, a k × n copy of
/// op(B) made first.
/// </summary>
public static partial class Gemm
{
    /// <summary>Rows of the unpacked kernel's tallest tile (8, then 4, 2, 1): the thread split's row granule.</summary>
    private const int DirectRows = 8;

    /// <summary>
    /// C[rows r0..r1, cols c0..c1] by <see cref="GemmDirectKernel{TVec, T, TOps, TRows, TVectors}"/>: one column
    /// strip at a time (its B strip stays in L1 while every row passes over it), rows in tiles of 8, then 4, 2, 1.
    /// A strip is two whole vectors wide where the path's packed microkernel is four vectors wide (AVX-512: 32
    /// registers hold the 16 accumulators), else one vector; for one or two rows, four vectors on every path (8
    /// accumulators), which took NN 1×2×500 132 → 123 ns and NN 2×2×500 197 → 154 ns (Zen 4, Stopwatch). The last,
    /// partial strip is copied zero-padded into scratch, and its C tile goes through scratch, so no load or store
    /// leaves the caller's matrices.
    /// <paramref name="scratch"/> holds <c>DirectScratchBytes</c>, after <c>TransposedBBytes</c> for the copy of op(B)
    /// when op(B) = Bᵀ. Each tile runs over <see cref="KBlocking"/>'s k blocks in order, so its elements get the
    /// packed path's bits whatever the strip's width.
    /// </summary>
    private static unsafe void RunDirect<T, TVec, TOps>(in GemmProblem<T> problem, int r0, int r1, int c0, int c1, byte* scratch, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        if (problem.OpB == MatrixOp.Transpose)
        {
            // Columns c0..c1 of op(B) are rows c0..c1 of B: transposed into a k × (c1 − c0) block at the front of
            // scratch, they are the op(B) = B problem of C's columns c0..c1.
            int width = c1 - c0;
            T* columns = (T*)scratch;
            TransposeRows<T, TVec, TOps>(problem.B + (c0 * problem.Ldb), problem.Ldb, width, problem.K, columns);
            var plain = new GemmProblem<T>(
                problem.OpA, MatrixOp.None, problem.M, width, problem.K, problem.Alpha, problem.A, problem.Lda, columns, width, problem.Beta, problem.C + c0, problem.Ldc);
            RunDirect<T, TVec, TOps>(plain, r0, r1, 0, width, scratch + TransposedBBytes<T>(problem.K, width), blocks);
            return;
        }

        int v = TOps.Count;
        var tiles = new DirectTiles<T>(problem, KBlocking(problem.K, blocks), (T*)scratch, v);
        ClearEdgeTile(tiles.Tile, DirectRows * v, problem.Beta);
        bool pairs = PathTable.Active.MicrokernelVectors >= 4;
        int j = c0;
        int rows = r1 - r0;
        if (rows is 1 or 2)
        {
            // One or two rows (a batch-1 layer): strips of four vectors, where each strip's call, pointers and
            // epilogue setup outweigh its few multiply-adds (NN 1×2×500: 2 per element).
            for (; j + (4 * v) <= c1; j += 4 * v)
            {
                if (rows == 2)
                {
                    DirectTile<T, TVec, TOps, Rows2, FourVectors>(tiles, r0, j, 4 * v, problem.B + j, problem.Ldb);
                }
                else
                {
                    DirectTile<T, TVec, TOps, Rows1, FourVectors>(tiles, r0, j, 4 * v, problem.B + j, problem.Ldb);
                }
            }
        }

        for (; pairs && j + (2 * v) <= c1; j += 2 * v)
        {
            DirectStrip<T, TVec, TOps, TwoVectors>(tiles, r0, r1, j, 2 * v, problem.B + j, problem.Ldb);
        }

        for (; j < c1; j += v)
        {
            int width = Math.Min(v, c1 - j);
            if (width < v)
            {
                PadEdgeStrip<T, TVec, TOps>(problem, j, width, tiles.Strip);
                DirectStrip<T, TVec, TOps, OneVector>(tiles, r0, r1, j, width, tiles.Strip, v);
            }
            else
            {
                DirectStrip<T, TVec, TOps, OneVector>(tiles, r0, r1, j, width, problem.B + j, problem.Ldb);
            }
        }
    }

    /// <summary>What every tile of one call shares: the problem, A's strides, the k blocks and the two scratch areas.</summary>
    private readonly unsafe struct DirectTiles<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public readonly GemmProblem<T> Problem;
        public readonly nint ARow;
        public readonly nint AK;
        public readonly int KBlocks;
        public readonly int Depth;

        /// <summary>The partial B strip, k × V.</summary>
        public readonly T* Strip;

        /// <summary>An edge tile of C, <see cref="DirectRows"/> × V.</summary>
        public readonly T* Tile;

        public DirectTiles(in GemmProblem<T> problem, (int Blocks, int Depth) kBlocking, T* scratch, int lanes)
        {
            Problem = problem;
            (ARow, AK) = problem.OpA == MatrixOp.None ? (problem.Lda, (nint)1) : ((nint)1, problem.Lda);
            (KBlocks, Depth) = kBlocking;
            Strip = scratch;
            Tile = (T*)((byte*)scratch + PackWorkspace.Align((nuint)problem.K * (nuint)lanes * (nuint)sizeof(T)));
        }
    }

    /// <summary>Rows r0..r1 of one column strip, <paramref name="width"/> columns from j, B's strip at <paramref name="b"/> with row stride <paramref name="ldb"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void DirectStrip<T, TVec, TOps, TVectors>(in DirectTiles<T> tiles, int r0, int r1, int j, int width, T* b, nint ldb)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TVectors : struct, IVectorCount
    {
        int i = r0;
        for (; i + 8 <= r1; i += 8)
        {
            DirectTile<T, TVec, TOps, Rows8, TVectors>(tiles, i, j, width, b, ldb);
        }

        if (i + 4 <= r1)
        {
            DirectTile<T, TVec, TOps, Rows4, TVectors>(tiles, i, j, width, b, ldb);
            i += 4;
        }

        if (i + 2 <= r1)
        {
            DirectTile<T, TVec, TOps, Rows2, TVectors>(tiles, i, j, width, b, ldb);
            i += 2;
        }

        if (i < r1)
        {
            DirectTile<T, TVec, TOps, Rows1, TVectors>(tiles, i, j, width, b, ldb);
        }
    }

    /// <summary>
    /// Copies B's last, partial column strip, columns j..j+width of its k rows, into <paramref name="strip"/> zero-padded
    /// to whole vectors (row p at <c>strip[p·V]</c>). A row whose whole vector lies inside B's used extent,
    /// <c>(k − 1)·ldb + n</c> elements, is loaded whole and its lanes past the edge (the next row's values) replaced
    /// by zeros; the last rows, element by element. A span copy and a clear per k row took 1.7 µs at 8 × 10 × 256, twice
    /// the kernel's own 0.8 µs (Stopwatch, this Xeon, AVX-512). The lane mask comes from <see cref="LaneIndex{T}"/>:
    /// built on the stack lane by lane it was 7 of NN 1×2×500's 139 ns (Zen 4).
    /// </summary>
    private static unsafe void PadEdgeStrip<T, TVec, TOps>(in GemmProblem<T> problem, int j, int width, T* strip)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        TVec inside = TOps.LessThan(TOps.Load(in MemoryMarshal.GetArrayDataReference(LaneIndex<T>.Values)), TOps.Create(T.CreateTruncating(width)));
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

    /// <summary>
    /// One TRows × TVectors·V tile of C, k block by k block: β folds C in with the first block, later ones add to it.
    /// A tile narrower than one vector (<paramref name="width"/> &lt; V, one vector only) goes through the edge scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void DirectTile<T, TVec, TOps, TRows, TVectors>(in DirectTiles<T> tiles, int i, int j, int width, T* b, nint ldb)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TRows : struct, IRowCount
        where TVectors : struct, IVectorCount
    {
        ref readonly GemmProblem<T> problem = ref tiles.Problem;
        T* a = problem.A + (i * tiles.ARow);
        T* c = problem.C + (i * problem.Ldc) + j;
        bool full = width == TVectors.Value * TOps.Count;
        if (!full)
        {
            LoadEdgeTile(c, problem.Ldc, tiles.Tile, TOps.Count, TRows.Value, width, problem.Beta);
        }

        for (int block = 0; block < tiles.KBlocks; block++)
        {
            int pc = block * tiles.Depth;
            T beta = block == 0 ? problem.Beta : T.One;
            GemmDirectKernel<TVec, T, TOps, TRows, TVectors>.Run(
                Math.Min(tiles.Depth, problem.K - pc), a + (pc * tiles.AK), tiles.ARow, tiles.AK, b + (pc * ldb), ldb,
                full ? c : tiles.Tile, full ? problem.Ldc : TOps.Count, problem.Alpha, beta);
        }

        if (!full)
        {
            CopyRows(tiles.Tile, TOps.Count, c, problem.Ldc, TRows.Value, width);
        }
    }
}
