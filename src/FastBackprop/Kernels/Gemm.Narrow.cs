using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Gemm
{
    /// <summary>
    /// C = α·op(A)·op(B) + β·C for n ≤ 4 columns and at most eight rows, each row's dot products of length k in
    /// registers: the path of a batch-1 output layer (1 × 500 · 500 × 2), where a vector of 16 lanes across C's
    /// columns would hold 2 useful ones (its weight gradient, 500 × 1 · 1 × 2, takes the short-k path). With op(B) = B a chunk is one <see cref="Vector128{T}"/> of columns (four
    /// floats or two doubles, <see cref="NarrowRowsByColumns{T}"/>); otherwise, and on the scalar path, four
    /// columns of scalar chains (<see cref="NarrowBlocks"/>). Same arithmetic per element as the vector kernels
    /// (<see cref="KBlocking"/>), so a row's bits do not depend on whether its call took this path.
    /// </summary>
    private static unsafe void RunNarrow<T>(in GemmProblem<T> problem, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        NarrowRows(problem, 0, problem.M, blocks);

    /// <summary>Rows r0..r1 of C by the narrow kernel (also the tall path's last rows, fewer than a vector, when k spans several blocks).</summary>
    private static unsafe void NarrowRows<T>(in GemmProblem<T> problem, int r0, int r1, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Dispatch.Use128: the active path is at least 128 bits wide, so a forced scalar path keeps scalar code.
        if (problem.OpB == MatrixOp.None && Dispatch.Use128)
        {
            NarrowRowsByColumns(problem, r0, r1, blocks);
            return;
        }

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
    /// Rows r0..r1 of C for op(B) = B, whose k-th row holds the columns side by side: one <see cref="Vector128{T}"/>
    /// lane per column (a chunk of <see cref="Vector128{T}.Count"/> columns), up to four k blocks' chains at once.
    /// The blocks' chains are independent, so a long k waits on a quarter of the FMA latency the scalar kernel waits
    /// on (1 × 500 · 500 × 2: four chains of 125 steps instead of two pairs in turn). A lane runs its column's chain
    /// and fold with the operations of <see cref="NarrowBlocks"/> in its order, so the bits are those of every path.
    /// </summary>
    private static unsafe void NarrowRowsByColumns<T>(in GemmProblem<T> problem, int r0, int r1, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int j = 0; j < problem.N; j += Vector128<T>.Count)
        {
            switch (Math.Min(Vector128<T>.Count, problem.N - j) * sizeof(T))
            {
                case 16:
                    NarrowChunk<T, Lanes16>(problem, r0, r1, j, blocks);
                    break;
                case 12:
                    NarrowChunk<T, Lanes12>(problem, r0, r1, j, blocks);
                    break;
                case 8:
                    NarrowChunk<T, Lanes8>(problem, r0, r1, j, blocks);
                    break;
                default:
                    NarrowChunk<T, Lanes4>(problem, r0, r1, j, blocks);
                    break;
            }
        }
    }

    /// <summary>
    /// Columns j.. of rows r0..r1 (as many as <typeparamref name="TLanes"/> holds): k blocks four at a time, member
    /// q of a group starting at step (group + q)·depth. A group of fewer than four repeats member 0 in the empty
    /// chains and drops them; in the last group, whose last member is the short last block, the other members run
    /// their remaining steps while its accumulator is parked.
    /// </summary>
    private static unsafe void NarrowChunk<T, TLanes>(in GemmProblem<T> problem, int r0, int r1, int j, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TLanes : struct, INarrowLanes
    {
        nint aK = problem.OpA == MatrixOp.None ? 1 : problem.Lda;
        nint aRow = problem.OpA == MatrixOp.None ? problem.Lda : 1;
        (int kBlocks, int depth) = KBlocking(problem.K, blocks);
        int lastDepth = problem.K - ((kBlocks - 1) * depth);
        Vector128<T> alpha = Vector128.Create(problem.Alpha);
        Vector128<T> beta = Vector128.Create(problem.Beta);
        NarrowGroup<int> starts = default;
        NarrowGroup<Vector128<T>> sums = default;
        for (int i = r0; i < r1; i++)
        {
            T* a = problem.A + (i * aRow);
            T* c = problem.C + (i * problem.Ldc) + j;
            for (int group = 0; group < kBlocks; group += NarrowChains)
            {
                int members = Math.Min(NarrowChains, kBlocks - group);
                for (int q = 0; q < NarrowChains; q++)
                {
                    starts[q] = (group + (q < members ? q : 0)) * depth;
                    sums[q] = Vector128<T>.Zero;
                }

                bool holdsLast = group + members == kBlocks;
                int steps = holdsLast ? lastDepth : depth;
                NarrowSteps<T, TLanes>(a, aK, problem.B + j, problem.Ldb, starts, 0, steps, ref sums);
                if (steps < depth && members > 1)
                {
                    Vector128<T> parked = sums[members - 1];
                    starts[members - 1] = starts[0];
                    NarrowSteps<T, TLanes>(a, aK, problem.B + j, problem.Ldb, starts, steps, depth - steps, ref sums);
                    sums[members - 1] = parked;
                }

                for (int q = 0; q < members; q++)
                {
                    bool first = group + q == 0;
                    Vector128<T> folded = first && problem.Beta == T.Zero
                        ? sums[q] * alpha
                        : Vector128Ops<T>.MultiplyAdd(sums[q], alpha, first ? beta * TLanes.Load(c) : TLanes.Load(c));
                    TLanes.Store(folded, c);
                }
            }
        }
    }

    /// <summary>k blocks whose chains <see cref="NarrowChunk"/> runs at once.</summary>
    private const int NarrowChains = 4;

    /// <summary>
    /// sums[q] += a[s]·B[s, ..] for s = starts[q] + from … + count − 1, one FMA per step in order, the four chains
    /// interleaved (independent: the loop waits on one FMA latency per step, not four). Not inlined, and chains 1–3
    /// addressed as byte offsets from chain 0's two pointers, so the loop's eleven values stay in registers: inlined
    /// into <see cref="NarrowChunk"/> with eight moving pointers, the loop reloaded spilled pointers every step
    /// wherever the JIT had no profile of this shape (FullOpts, as ReadyToRun and NativeAOT compile it, or tier 1
    /// after a TN 500×1×2 call), and NN 1×500×2 took 284–311 ns against 187–197 now (Zen 4, AVX-512, Stopwatch).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void NarrowSteps<T, TLanes>(T* a, nint aK, T* b, nint ldb, in NarrowGroup<int> starts, int from, int count, ref NarrowGroup<Vector128<T>> sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TLanes : struct, INarrowLanes
    {
        nint aStride = aK * sizeof(T), bStride = ldb * sizeof(T);
        byte* a0 = (byte*)(a + ((starts[0] + from) * aK));
        byte* b0 = (byte*)(b + ((starts[0] + from) * ldb));
        nint a1 = (starts[1] - starts[0]) * aStride, a2 = (starts[2] - starts[0]) * aStride, a3 = (starts[3] - starts[0]) * aStride;
        nint b1 = (starts[1] - starts[0]) * bStride, b2 = (starts[2] - starts[0]) * bStride, b3 = (starts[3] - starts[0]) * bStride;
        Vector128<T> sum0 = sums[0], sum1 = sums[1], sum2 = sums[2], sum3 = sums[3];
        for (int p = 0; p < count; p++)
        {
            sum0 = Vector128Ops<T>.MultiplyAdd(Vector128.Create(*(T*)a0), TLanes.Load((T*)b0), sum0);
            sum1 = Vector128Ops<T>.MultiplyAdd(Vector128.Create(*(T*)(a0 + a1)), TLanes.Load((T*)(b0 + b1)), sum1);
            sum2 = Vector128Ops<T>.MultiplyAdd(Vector128.Create(*(T*)(a0 + a2)), TLanes.Load((T*)(b0 + b2)), sum2);
            sum3 = Vector128Ops<T>.MultiplyAdd(Vector128.Create(*(T*)(a0 + a3)), TLanes.Load((T*)(b0 + b3)), sum3);
            a0 += aStride;
            b0 += bStride;
        }

        (sums[0], sums[1], sums[2], sums[3]) = (sum0, sum1, sum2, sum3);
    }

    /// <summary>One value per chain of a <see cref="NarrowChunk"/> group.</summary>
    [InlineArray(NarrowChains)]
    private struct NarrowGroup<TValue>
    {
        private TValue _first;
    }

    /// <summary>
    /// Loads and stores the first <c>Bytes / sizeof(T)</c> lanes of a <see cref="Vector128{T}"/>: exactly the columns
    /// of a narrow chunk, never memory past them (B's last row and C's row end there). Loaded lanes past them are 0.
    /// </summary>
    private interface INarrowLanes
    {
        static abstract unsafe Vector128<T> Load<T>(T* source)
            where T : unmanaged;

        static abstract unsafe void Store<T>(Vector128<T> value, T* destination)
            where T : unmanaged;
    }

    private readonly struct Lanes16 : INarrowLanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector128<T> Load<T>(T* source)
            where T : unmanaged => Vector128.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store<T>(Vector128<T> value, T* destination)
            where T : unmanaged => value.Store(destination);
    }

    private readonly struct Lanes12 : INarrowLanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector128<T> Load<T>(T* source)
            where T : unmanaged =>
            Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(source)).AsInt32().WithElement(2, Unsafe.ReadUnaligned<int>((byte*)source + 8)).As<int, T>();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store<T>(Vector128<T> value, T* destination)
            where T : unmanaged
        {
            Unsafe.WriteUnaligned(destination, value.AsInt64().ToScalar());
            Unsafe.WriteUnaligned((byte*)destination + 8, value.AsInt32().GetElement(2));
        }
    }

    private readonly struct Lanes8 : INarrowLanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector128<T> Load<T>(T* source)
            where T : unmanaged => Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(source)).As<long, T>();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store<T>(Vector128<T> value, T* destination)
            where T : unmanaged => Unsafe.WriteUnaligned(destination, value.AsInt64().ToScalar());
    }

    private readonly struct Lanes4 : INarrowLanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector128<T> Load<T>(T* source)
            where T : unmanaged => Vector128.CreateScalar(Unsafe.ReadUnaligned<int>(source)).As<int, T>();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store<T>(Vector128<T> value, T* destination)
            where T : unmanaged => Unsafe.WriteUnaligned(destination, value.AsInt32().ToScalar());
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
