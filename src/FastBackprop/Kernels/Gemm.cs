using FastBackprop.Buffers;
using FastBackprop.Simd;
using FastBackprop.Threading;

namespace FastBackprop;

/// <summary>Whether GEMM uses a matrix as stored or its transpose.</summary>
public enum MatrixOp
{
    /// <summary>op(X) = X.</summary>
    None,

    /// <summary>op(X) = Xᵀ.</summary>
    Transpose,
}

/// <summary>
/// General matrix multiply, <c>C = α·op(A)·op(B) + β·C</c>, row-major, in float and double, on every SIMD path.
/// </summary>
/// <remarks>
/// <para>Backpropagation's three products are its transpose variants: forward <c>Y = X·W</c> (None, None),
/// <c>dX = dY·Wᵀ</c> (None, Transpose) and <c>dW = Xᵀ·dY</c> (Transpose, None).</para>
/// <para>Large problems run the Goto/BLIS scheme: panels of A and B are packed into aligned scratch from the
/// library's pool (packing absorbs the transposes) and a register-tile microkernel per SIMD path
/// (AVX-512 6×64, AVX2 6×16, Vector128 6×8 floats) runs over them. Small problems with op(B) = B skip packing.</para>
/// <para>Every element of C is one fused multiply-add chain over k (in blocks of a fixed depth) followed by
/// <c>acc·α + β·c</c>; threads split rows or columns of C, never k, so results are bit-identical for every
/// thread count. Steady-state calls allocate no managed memory, single- or multi-threaded.</para>
/// </remarks>
public static partial class Gemm
{
    /// <summary>
    /// <c>C = α·op(A)·op(B) + β·C</c> where op(A) is m × k, op(B) is k × n and C is m × n, all row-major with row
    /// strides <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/> (so sub-matrices can be
    /// passed): op(A)[i, p] is <c>a[i·lda + p]</c> for <see cref="MatrixOp.None"/> and <c>a[p·lda + i]</c> for
    /// <see cref="MatrixOp.Transpose"/>; likewise B.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="opA">Whether A is used as stored (m × k) or transposed (stored k × m).</param>
    /// <param name="opB">Whether B is used as stored (k × n) or transposed (stored n × k).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product. α = 0 skips the product (A and B are not read; NaN there does not propagate).</param>
    /// <param name="a">A, stored rows × cols = m × k (None) or k × m (Transpose); length at least (rows − 1)·lda + cols.</param>
    /// <param name="lda">Row stride of the stored A, at least its cols.</param>
    /// <param name="b">B, stored k × n (None) or n × k (Transpose); length at least (rows − 1)·ldb + cols.</param>
    /// <param name="ldb">Row stride of the stored B, at least its cols.</param>
    /// <param name="beta">Scale of C's old value. β = 0 overwrites C without reading it (NaN there does not propagate).</param>
    /// <param name="c">C, m × n; length at least (m − 1)·ldc + n. Must not overlap the used parts of A or B.
    /// Elements between rows (columns n..ldc−1) are not touched.</param>
    /// <param name="ldc">Row stride of C, at least n.</param>
    /// <param name="threads">Threads to use, the caller included: 1 (the default) = the calling thread only (no
    /// worker thread is started, no lock taken); n &gt; 1 = up to n, held to <see cref="Parallelism.MaxThreads"/>;
    /// 0 = <see cref="Parallelism.MaxThreads"/>. Small problems use fewer. Results do not depend on it. The others
    /// are the library's own persistent workers (see <see cref="Parallelism"/>); while another call holds them, a
    /// call runs on its caller alone.</param>
    /// <exception cref="ArgumentException">A size or stride is negative, a stride is below its matrix's width, a
    /// span is shorter than its matrix needs, a size overflows, C overlaps A or B, or an op is not defined.
    /// Thrown before anything is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float or double.</exception>
    public static unsafe void Multiply<T>(
        MatrixOp opA, MatrixOp opB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int threads = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Multiply(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, GemmStrategy.Auto);

    /// <summary><see cref="Multiply{T}(MatrixOp, MatrixOp, int, int, int, T, ReadOnlySpan{T}, int, ReadOnlySpan{T}, int, T, Span{T}, int, int)"/> with the path forced, for tests and the crossover benchmark.</summary>
    internal static unsafe void Multiply<T>(
        MatrixOp opA, MatrixOp opB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int threads, GemmStrategy strategy)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.DefinedOp(opA, nameof(opA));
        Guard.DefinedOp(opB, nameof(opB));
        Guard.NonNegative(m, nameof(m));
        Guard.NonNegative(n, nameof(n));
        Guard.NonNegative(k, nameof(k));
        Guard.NonNegative(threads, nameof(threads));
        bool plainA = opA == MatrixOp.None;
        bool plainB = opB == MatrixOp.None;
        (int aRows, int aCols) = plainA ? (m, k) : (k, m);
        (int bRows, int bCols) = plainB ? (k, n) : (n, k);
        int aLength = Guard.StridedMatrix(a.Length, aRows, aCols, lda, nameof(a), nameof(lda));
        int bLength = Guard.StridedMatrix(b.Length, bRows, bCols, ldb, nameof(b), nameof(ldb));
        int cLength = Guard.StridedMatrix(c.Length, m, n, ldc, nameof(c), nameof(ldc));
        Guard.NoOverlapStrided(a[..aLength], aRows, aCols, lda, c[..cLength], m, n, ldc, nameof(a), nameof(c));
        Guard.NoOverlapStrided(b[..bLength], bRows, bCols, ldb, c[..cLength], m, n, ldc, nameof(b), nameof(c));
        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (T* pa = a, pb = b, pc = c)
        {
            if (k == 0 || alpha == T.Zero)
            {
                ScaleC(pc, ldc, m, n, beta);
                return;
            }

            var problem = new GemmProblem<T>(opA, opB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            Run(problem, Parallelism.Resolve(threads), strategy);
        }
    }

    /// <summary>C = β·C over m × n; β = 0 writes zeros without reading C.</summary>
    private static unsafe void ScaleC<T>(T* c, nint ldc, int m, int n, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + (i * ldc), n);
            if (beta == T.Zero)
            {
                row.Clear();
            }
            else
            {
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] *= beta;
                }
            }
        }
    }

    private static unsafe void Run<T>(in GemmProblem<T> problem, int threads, GemmStrategy strategy)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        GemmBlockSizes blocks = Blocks;
        long work = (long)problem.M * problem.N * problem.K;
        bool shortK = strategy == GemmStrategy.Auto && ShortKApplies(problem);
        if (strategy == GemmStrategy.Narrow || (strategy == GemmStrategy.Auto && !shortK && problem.N <= NarrowColumns && problem.M <= NarrowMaxRows))
        {
            RunNarrow(problem, blocks);
            return;
        }

        (int _, int packedColumns) = Units<T>(KernelKind.Packed, problem.N, problem.OpA);
        KernelKind kind = strategy switch
        {
            GemmStrategy.Direct => KernelKind.Direct,
            GemmStrategy.Tall => KernelKind.Tall,
            _ when shortK => KernelKind.ShortK,
            GemmStrategy.Auto when problem.N <= NarrowColumns => KernelKind.Tall,
            GemmStrategy.Auto when work <= blocks.DirectMaxWork || (problem.OpB == MatrixOp.None && problem.N < packedColumns) => KernelKind.Direct,
            _ => KernelKind.Packed,
        };
        if (threads > 1 && work >= blocks.ParallelMinWork)
        {
            (int rowUnit, int colUnit) = Units<T>(kind, problem.N, problem.OpA);
            bool splitColumns = SplitColumns(problem, kind, rowUnit, colUnit, threads);
            (int unit, int extent) = splitColumns ? (colUnit, problem.N) : (rowUnit, problem.M);
            int tiles = (extent + unit - 1) / unit;
            int parts = Math.Min(threads, tiles);
            if (parts > 1)
            {
                GemmWork<T> job = GemmWork<T>.ForThisThread;
                job.Set(problem, kind, splitColumns, unit, tiles);
                if (WorkerTeam.Shared.TryRun(job, parts))
                {
                    return;
                }
            }
        }

        nuint scratchBytes = ScratchBytes(problem, kind, blocks);
        if (kind != KernelKind.Packed && scratchBytes <= StackScratchBytes)
        {
            // Tiny problems (a batch-1 layer, a tall product with op(A) = Aᵀ): scratch on the stack, no pool round trip.
            byte* stack = stackalloc byte[StackScratchBytes + PackWorkspace.Alignment];
            byte* scratch = (byte*)PackWorkspace.Align((nuint)stack);
            RunRange(problem, kind, 0, problem.M, 0, problem.N, null, scratch);
            return;
        }

        PackWorkspace workspace = PackWorkspacePool.Get();
        RunRange(problem, kind, 0, problem.M, 0, problem.N, workspace, null);
        PackWorkspacePool.Return(workspace);
    }

    /// <summary>
    /// Most scratch an unpacked or tall call takes on the stack. 8 KiB holds the transposed B of the batch-1 product
    /// dZ₂·W₂ᵀ (NT 1×2×500: 4 KB), which from the pool took 203 against 191 ns (Zen 4, Stopwatch, min of four rounds).
    /// </summary>
    private const int StackScratchBytes = 8192;

    /// <summary>
    /// Whether threads split C's columns rather than its rows: the split whose busiest thread has less to do. Its
    /// cost is its share of C times k multiply-adds, plus the whole other operand it reads, and on the packed path
    /// packs, on its own: all of B for a row split, all of A for a column split. A pack that transposes costs
    /// <see cref="TransposingPackWeight"/> times a copying one per element.
    /// </summary>
    /// <remarks>
    /// Two threads, AVX-512 (Zen 4, Stopwatch, min of interleaved runs): NN 64×784×256 splits its 11 row tiles
    /// 6 : 5 (34 of 64 rows) and packs all 784 × 256 of B twice, so columns (128 : 128, A's 64 × 784 packed twice)
    /// ran 152–158 µs against 171–208; at 256³ and 512³ the column split's even share did not pay for packing A
    /// twice (181–203 against 172–176 µs, 1323–1523 against 1271–1276 µs), and the weights keep rows there. Each
    /// element is computed whole by one thread either way, so the bits do not depend on the choice.
    /// </remarks>
    private static bool SplitColumns<T>(in GemmProblem<T> problem, KernelKind kind, int rowUnit, int colUnit, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool packed = kind == KernelKind.Packed;
        long aWeight = packed && problem.OpA == MatrixOp.None ? TransposingPackWeight : 1;
        long bWeight = packed && problem.OpB == MatrixOp.Transpose ? TransposingPackWeight : 1;
        long m = problem.M, n = problem.N, k = problem.K;
        long rowCost = (BusiestShare(problem.M, rowUnit, threads) * n * k) + (k * n * bWeight);
        long colCost = (BusiestShare(problem.N, colUnit, threads) * m * k) + (m * k * aWeight);
        return colCost < rowCost;
    }

    /// <summary>
    /// Cost per element of a pack that transposes (op(A) = A into MR-row panels, op(B) = Bᵀ into NR-column panels)
    /// against one that copies rows, in the units of one multiply-add of C: a transposing pack spends about 0.8
    /// load, shuffle and store µops an element (8 × 8 register transposes, scalar at the edges), a copy two µops per
    /// 16 floats. With it the split keeps rows at 256³ and 512³, where a column split measured slower.
    /// </summary>
    private const long TransposingPackWeight = 8;

    /// <summary>Part p of P of a split: tiles ⌊tiles·p/P⌋ to ⌊tiles·(p + 1)/P⌋, as rows or columns first..last of extent.</summary>
    private static (int First, int Last) PartRange(int tiles, int unit, int extent, int part, int parts) =>
        ((int)((long)tiles * part / parts) * unit, Math.Min((int)((long)tiles * (part + 1) / parts) * unit, extent));

    /// <summary>The most of <paramref name="extent"/> one part gets when <see cref="GemmWork{T}"/> deals its tiles of <paramref name="unit"/> to up to <paramref name="threads"/> parts.</summary>
    private static int BusiestShare(int extent, int unit, int threads)
    {
        int tiles = (extent + unit - 1) / unit;
        int parts = Math.Max(1, Math.Min(threads, tiles));
        int busiest = 0;
        for (int part = 0; part < parts; part++)
        {
            (int first, int last) = PartRange(tiles, unit, extent, part, parts);
            busiest = Math.Max(busiest, last - first);
        }

        return busiest;
    }

    /// <summary>
    /// C at most this wide takes <see cref="RunNarrow"/> when the work is small: the unpacked path pads each row of
    /// B to a whole vector (n of 16 lanes busy) and the packed one packs a 64-wide panel for it.
    /// </summary>
    private const int NarrowColumns = 4;

    /// <summary>
    /// Most rows of the narrow path. It costs ≈ 0.7 ns a k step per row of C (m × 500 · 500 × 2 on AVX-512: ≈ 350 ns
    /// a row), the unpacked one ≈ 6 ns a k step once (padding B's k rows to whole vectors) plus an eighth of that per
    /// row (eight rows a tile), so they cross near m = 8 at every k. At m = 500, k = 1 (the batch-1 weight gradient of
    /// a 500 × 2 layer) the narrow path's per-row loop overhead was 91 K of the step's 279 K instructions (callgrind,
    /// AVX2).
    /// </summary>
    private const int NarrowMaxRows = 8;

    /// <summary>Scratch bytes of a kind other than packed (which reserves its own).</summary>
    private static nuint ScratchBytes<T>(in GemmProblem<T> problem, KernelKind kind, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => kind switch
        {
            KernelKind.Tall => TallScratchBytes(problem, blocks),
            KernelKind.ShortK => 0,
            _ => DirectScratchBytes<T>(problem.K, Units<T>(KernelKind.Direct, problem.N, problem.OpA).Cols) + (problem.OpB == MatrixOp.Transpose ? TransposedBBytes<T>(problem.K, problem.N) : 0),
        };

    /// <summary>The k × n copy of op(B) the unpacked path makes when op(B) = Bᵀ, rounded to the workspace's alignment.</summary>
    private static unsafe nuint TransposedBBytes<T>(int k, int n)
        where T : unmanaged =>
        PackWorkspace.Align((nuint)k * (nuint)n * (nuint)sizeof(T));

    /// <summary>The kernel family a call runs: chosen from n, k, op(B) and the work (and the strategy a test forces).</summary>
    private enum KernelKind
    {
        Packed,
        Direct,
        Tall,

        /// <summary>k of 1 or 2 (<see cref="RunShortK"/>), on the automatic path only.</summary>
        ShortK,
    }

    /// <summary>Scratch of the unpacked path: a zero-padded k × V strip of B's last columns and a DirectRows × V tile of C.</summary>
    private static unsafe nuint DirectScratchBytes<T>(int k, int lanes)
        where T : unmanaged =>
        PackWorkspace.Align((nuint)k * (nuint)lanes * (nuint)sizeof(T)) + (nuint)(DirectRows * lanes * sizeof(T));

    private static GemmBlockSizes Blocks => PathTable.Active.GemmBlocks;

    /// <summary>The granules a thread split must respect (tile rows, tile columns) so tiles never straddle two threads.</summary>
    private static (int Rows, int Cols) Units<T>(KernelKind kind, int n, MatrixOp opA)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref readonly SimdPathRow path = ref PathTable.Active;
        int lanes = path.Lanes<T>();
        return kind switch
        {
            KernelKind.Direct => (DirectRows, lanes),
            KernelKind.Tall => (TallRows<T>(opA), Math.Max(n, 1)),
            KernelKind.ShortK => (1, Math.Max(n, 1)),
            _ => (path.MicrokernelRows, path.MicrokernelVectors * lanes),
        };
    }

    /// <summary>The active path's kernel for rows r0..r1 and columns c0..c1 of C.</summary>
    /// <remarks>The unpacked path uses <paramref name="scratch"/> when given, else reserves its scratch in <paramref name="workspace"/>.</remarks>
    private static unsafe void RunRange<T>(in GemmProblem<T> problem, KernelKind kind, int r0, int r1, int c0, int c1, PackWorkspace? workspace, byte* scratch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (kind != KernelKind.Packed && scratch is null)
        {
            scratch = workspace!.Reserve(ScratchBytes(problem, kind, Blocks));
        }

        var range = new RangeKernel<T>(in problem, kind, r0, r1, c0, c1, workspace, scratch);
        PathTable.Run<RangeKernel<T>, T>(ref range);
    }

    /// <summary>One range of C on one path: the unpacked kernel or the packed one with the path's microkernel.</summary>
    private readonly unsafe ref struct RangeKernel<T> : IPathKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly ref readonly GemmProblem<T> _problem;
        private readonly KernelKind _kind;
        private readonly int _r0, _r1, _c0, _c1;
        private readonly PackWorkspace? _workspace;
        private readonly byte* _scratch;

        public RangeKernel(in GemmProblem<T> problem, KernelKind kind, int r0, int r1, int c0, int c1, PackWorkspace? workspace, byte* scratch)
        {
            _problem = ref problem;
            _kind = kind;
            (_r0, _r1, _c0, _c1) = (r0, r1, c0, c1);
            _workspace = workspace;
            _scratch = scratch;
        }

        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            switch (_kind)
            {
                case KernelKind.Direct:
                    RunDirect<T, TVec, TOps>(_problem, _r0, _r1, _c0, _c1, _scratch, Blocks);
                    break;
                case KernelKind.Tall:
                    RunTall<T, TVec, TOps>(_problem, _r0, _r1, _scratch, Blocks);
                    break;
                case KernelKind.ShortK:
                    RunShortK<T, TVec, TOps>(_problem, _r0, _r1);
                    break;
                default:
                    RunPacked<T, TVec, TOps, TMicrokernel>(_problem, _r0, _r1, _c0, _c1, _workspace!, Blocks);
                    break;
            }
        }
    }

    /// <summary>One multi-threaded call: part p of P takes a contiguous run of whole tiles along the split dimension.</summary>
    private sealed class GemmWork<T> : PartitionedWork
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [ThreadStatic]
        private static GemmWork<T>? t_forThisThread;

        private GemmProblem<T> _problem;
        private KernelKind _kind;
        private bool _splitColumns;
        private int _unit;
        private int _tiles;

        /// <summary>The calling thread's own instance, made once: a call never shares it, so setting it is safe even when the team is busy.</summary>
        public static GemmWork<T> ForThisThread => t_forThisThread ??= new GemmWork<T>();

        public void Set(in GemmProblem<T> problem, KernelKind kind, bool splitColumns, int unit, int tiles)
        {
            _problem = problem;
            _kind = kind;
            _splitColumns = splitColumns;
            _unit = unit;
            _tiles = tiles;
        }

        public override unsafe void Run(int part, int parts)
        {
            PackWorkspace workspace = PackWorkspacePool.Get();
            if (_splitColumns)
            {
                (int first, int last) = PartRange(_tiles, _unit, _problem.N, part, parts);
                RunRange(_problem, _kind, 0, _problem.M, first, last, workspace, null);
            }
            else
            {
                (int first, int last) = PartRange(_tiles, _unit, _problem.M, part, parts);
                RunRange(_problem, _kind, first, last, 0, _problem.N, workspace, null);
            }

            PackWorkspacePool.Return(workspace);
        }
    }
}

/// <summary>Which GEMM path runs: chosen by size (<see cref="Auto"/>) or forced.</summary>
internal enum GemmStrategy
{
    /// <summary>
    /// The short-k kernel for k = 1 and, below eight rows, k = 2 where it applies (see Gemm.ShortK.cs), narrow for
    /// at most four columns and eight rows, tall for at most four columns and more rows, unpacked for other small
    /// problems (and, with op(B) = B, for any narrower than a packed tile), packed otherwise.
    /// </summary>
    Auto,

    /// <summary>Always pack.</summary>
    Packed,

    /// <summary>Always the narrow path (each row's dot products in registers, a few columns of C at a time).</summary>
    Narrow,

    /// <summary>Always the unpacked path (with op(B) = Bᵀ, on a transposed copy of B).</summary>
    Direct,

    /// <summary>Always the tall path (vectors down the rows, four columns of C at a time), any op.</summary>
    Tall,
}

/// <summary>A validated GEMM call with its spans pinned: the raw pointers kernels and worker threads share.</summary>
internal readonly unsafe struct GemmProblem<T>(
    MatrixOp opA, MatrixOp opB, int m, int n, int k, T alpha, T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public readonly MatrixOp OpA = opA;
    public readonly MatrixOp OpB = opB;
    public readonly int M = m;
    public readonly int N = n;
    public readonly int K = k;
    public readonly T Alpha = alpha;
    public readonly T* A = a;
    public readonly nint Lda = lda;
    public readonly T* B = b;
    public readonly nint Ldb = ldb;
    public readonly T Beta = beta;
    public readonly T* C = c;
    public readonly nint Ldc = ldc;
}
