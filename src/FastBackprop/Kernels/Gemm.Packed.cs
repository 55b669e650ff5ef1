using System.Runtime.Intrinsics.X86;

using FastBackprop.Buffers;
using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>The packed (Goto/BLIS) path: block loops, packing and edge tiles, written once for every kernel.</summary>
public static partial class Gemm
{
    /// <summary>
    /// C[rows r0..r1, cols c0..c1] of the problem, with every loop bound independent of the range so that each
    /// element sees the same k blocks and the same kernel arithmetic for any split between threads.
    /// </summary>
    /// <remarks>
    /// Loops, outermost first: NC columns → KC-deep k block (pack B: KC × NC, L3-resident; a plain B read in place for
    /// at most MC rows, else packed by the first tile down each micro-panel) → MC rows (pack A: MC × KC, L2-resident) → NR columns (one B micro-panel, L1-resident)
    /// → MR rows (kernel). Where B is read in place or packed, the kernel runs the same FMAs in the same order. k blocks are
    /// <see cref="KBlocking"/>'s, the k-order every path shares. The first k block applies β; later ones accumulate (β = 1).
    /// </remarks>
    private static unsafe void RunPacked<T, TVec, TOps, TKernel>(
        in GemmProblem<T> problem, int r0, int r1, int c0, int c1, PackWorkspace workspace, GemmBlockSizes blocks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
        where TKernel : IGemmMicrokernel<T>
    {
        int mr = TKernel.MR;
        int nr = TKernel.NR;
        int k = problem.K;
        (int kBlocks, int kcMax) = KBlocking(k, blocks);
        int mcMax = blocks.MCTiles * mr;
        int ncMax = blocks.NCTiles * nr;

        nuint aBytes = PackWorkspace.Align((nuint)(mcMax * kcMax * sizeof(T)));
        nuint bBytes = PackWorkspace.Align((nuint)(kcMax * ncMax * sizeof(T)));
        byte* memory = workspace.Reserve(aBytes + bBytes + (nuint)(mr * nr * sizeof(T)));
        T* packedA = (T*)memory;
        T* packedB = (T*)(memory + aBytes);
        T* tile = (T*)(memory + aBytes + bBytes);
        ClearEdgeTile(tile, mr * nr, problem.Beta);

        T* c = problem.C;
        nint ldc = problem.Ldc;
        // op(B) = B with rows for one A block (m ≤ MC, each thread's share) and micro-panel rows of at least four cache
        // lines (the 6×4V kernel's 256 B): whole micro-panels are read where B lies, row stride ldb, instead of packed,
        // since each B element then serves at most MC / MR tiles and its copy cost 6 % of NN 64×784×256 (263 → 247 µs)
        // and 15 % of NN 64×2048×2048 on AVX-512. With more rows B is reused across A blocks (2048³ read in place ran
        // 4 % slower); with the 6×2V kernel's one-line rows the strided stream ran 1–6 % slower on AVX2. Only the
        // partial last panel is packed (zero-padded).
        bool directB = problem.OpB == MatrixOp.None && r1 - r0 <= mcMax && nr * sizeof(T) >= 4 * CacheLineBytes;

        // Otherwise a plain B's whole micro-panels are packed by the first tile down each of them (the first A block's
        // top tile), which stores every B row it loads: no separate pass over B. That pass took 10 % of NN 64×784×256 on
        // AVX2, where B is packed for every call; packed in the kernel, 317 → 302 µs (Zen 3). A transposed B is packed
        // beforehand, as is a partial last panel (zero-padded).
        bool kernelPacksB = problem.OpB == MatrixOp.None && !directB;

        // op(A) = Aᵀ: a whole micro-panel's k step is MR values side by side in one row of A, so the kernel reads them
        // where they lie, row stride lda, where few column tiles share each panel (DirectAMaxColumns).
        bool directA = problem.OpA == MatrixOp.Transpose && c1 - c0 <= DirectAMaxColumns;
        for (int jc = c0; jc < c1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, c1 - jc);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                int pc = kb * kcMax;
                int kc = Math.Min(kcMax, k - pc);
                T beta = kb == 0 ? problem.Beta : T.One;
                PackB<T, TVec, TOps>(problem, pc, kc, jc, nc, nr, packedB, wholePanels: problem.OpB != MatrixOp.None);
                for (int ic = r0; ic < r1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, r1 - ic);
                    // With directA only a partial last panel is packed (zero-padded), at the start of packed A.
                    int inPlaceRows = directA ? mc - (mc % mr) : 0;
                    if (inPlaceRows < mc)
                    {
                        PackA<T, TVec, TOps>(problem, ic + inPlaceRows, mc - inPlaceRows, pc, kc, mr, packedA);
                    }

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        T* bSource = problem.B + (pc * problem.Ldb) + jc + jr;
                        bool direct = directB && cols == nr;
                        bool packsPanel = kernelPacksB && cols == nr && ic == r0;
                        T* bPanel = direct ? bSource : packedB + (jr * kc);
                        nint bStride = direct ? problem.Ldb : nr;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            int kernelRows = TileRows(rows);
                            bool inPlace = ir < inPlaceRows;
                            T* aPanel = inPlace ? problem.A + (pc * problem.Lda) + ic + ir : packedA + ((ir - inPlaceRows) * kc);
                            nint aStride = inPlace ? problem.Lda : mr;
                            T* cTile = c + ((ic + ir) * ldc) + jc + jr;
                            bool edge = rows < kernelRows || cols < nr;
                            T* target = edge ? tile : cTile;
                            nint ldTarget = edge ? nr : ldc;
                            if (edge)
                            {
                                LoadEdgeTile(cTile, ldc, tile, nr, rows, cols, beta);
                            }
                            else
                            {
                                PrefetchTile(cTile, ldc, kernelRows, nr * sizeof(T));
                            }

                            if (packsPanel && ir == 0)
                            {
                                RunTile<T, TKernel, PackBPanel>(kernelRows, kc, aPanel, aStride, bSource, problem.Ldb, bPanel, target, ldTarget, problem.Alpha, beta);
                            }
                            else
                            {
                                RunTile<T, TKernel, KeepBPanel>(kernelRows, kc, aPanel, aStride, bPanel, bStride, null, target, ldTarget, problem.Alpha, beta);
                            }

                            if (edge)
                            {
                                CopyRows(tile, nr, cTile, ldc, rows, cols);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Rows the kernel computes for a panel of <paramref name="rows"/> (MR = 6 for every packed kernel): a last panel of
    /// 1–4 rows runs the kernel's 4- or 2-row body instead of six rows of which the padded ones are thrown away, and
    /// 4 or 2 rows of a full-width tile are stored straight into C instead of through the edge tile. At batch 64
    /// (10 six-row panels and one of 4) the padding was 3 % of the kernel's multiply-adds. Worth (Zen 4, Stopwatch min
    /// of 4 interleaved rounds): NN 64×784×256 250.9 → 241.2 µs on AVX-512 and 260.5 → 256.3 on AVX2, NT 64×256×784
    /// 279.1 → 275.9, TN 784×64×256 247.6 → 243.1; each element's chain is the same, so are its bits.
    /// </summary>
    private static int TileRows(int rows) => rows > 4 ? 6 : rows > 2 ? 4 : 2;

    /// <summary>
    /// Most columns of C for which the packed path reads op(A) = Aᵀ's whole micro-panels in place instead of packing
    /// them: each k step's MR values lie in one line of A, and the pack (4–5 % of TN 784×64×256) pays off only when
    /// many column tiles reuse the panel. AVX-512, Zen 4, Stopwatch, min of three interleaved runs, packed → in place:
    /// TN 784×64×256 (the weight gradient of 784-256-10 at batch 64) 243 → 235 µs, TN 784×256×256 974 → 929 µs, the
    /// 784-256-10 batch-64 step 510–514 → 500–505 µs, 512³ 2514 → 2476 µs, but 1024³ 20.95–21.2 → 21.3–21.5 ms; on
    /// AVX2 TN 784×64×256 255–258 → 247–252 µs and 512³ 2652–2703 → 2732–2892 µs. The same values in the same FMAs.
    /// </summary>
    private const int DirectAMaxColumns = 256;

    /// <summary>The kernel's body for <paramref name="rows"/> (6, 4 or 2, from <see cref="TileRows"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void RunTile<T, TKernel, TCopy>(int rows, nint kc, T* a, nint lda, T* b, nint ldb, T* packedB, T* c, nint ldc, T alpha, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : IGemmMicrokernel<T>
        where TCopy : struct, IBPanelCopy
    {
        if (rows == 6)
        {
            TKernel.Run<TCopy, Rows6>(kc, a, lda, b, ldb, packedB, c, ldc, alpha, beta);
        }
        else if (rows == 4)
        {
            TKernel.Run<TCopy, Rows4>(kc, a, lda, b, ldb, packedB, c, ldc, alpha, beta);
        }
        else
        {
            TKernel.Run<TCopy, Rows2>(kc, a, lda, b, ldb, packedB, c, ldc, alpha, beta);
        }
    }

    /// <summary>
    /// Asks for the lines of a C tile (<paramref name="rows"/> rows of <paramref name="rowBytes"/> at stride
    /// <paramref name="ldc"/>) before the kernel's k loop, so that they arrive while it runs instead of stalling its
    /// epilogue. From 2048³ the C rows a B panel sweeps (MC × n: 3 MiB at n = 2048) no longer fit L2, and each tile's
    /// 24 lines came from L3 after the last multiply-add: NN 2048³ ran at 50–68 GFLOP/s on this Xeon against 75–83 at
    /// 1024³. A hint only; x86 has the instruction, other targets skip it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchTile<T>(T* c, nint ldc, int rows, int rowBytes)
        where T : unmanaged
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            byte* row = (byte*)(c + (r * ldc));
            for (int offset = 0; offset < rowBytes; offset += CacheLineBytes)
            {
                Sse.Prefetch0(row + offset);
            }

            Sse.Prefetch0(row + rowBytes - 1);
        }
    }

    /// <summary>The cache line of every x86 core FastBackprop targets.</summary>
    private const int CacheLineBytes = 64;

    /// <summary>
    /// Copies rows × cols of C into an edge tile's scratch (row stride <paramref name="stride"/>), which the kernel then
    /// computes in full; with <paramref name="beta"/> = 0 the kernel does not read the tile and nothing is copied.
    /// </summary>
    /// <remarks>
    /// The kernel scales the whole tile by β, so the lanes past C's edge must hold numbers: stack or pool garbage there
    /// can be subnormal (a pointer's upper half is), and on Intel cores each subnormal operand costs a microcode assist
    /// (TN 500×2×1 with β = 1 took 25 µs instead of 2.8). <see cref="ClearEdgeTile"/> zeroes the scratch once per call;
    /// from then on a lane past the edge holds 0 (its accumulator is 0, and 0·α + β·0 = 0) or a value of this call's
    /// C or result. Zeroing it before every edge tile cost ≈ 120 ns a tile on this Xeon: TN 128×10×32 with β = 1 (the
    /// fused SGD update of 64-128-10's output layer at batch 32) took 5.5 µs, 3.7 µs without (Stopwatch).
    /// </remarks>
    private static unsafe void LoadEdgeTile<T>(T* c, nint ldc, T* tile, nint stride, int rows, int cols, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (beta != T.Zero)
        {
            CopyRows(c, ldc, tile, stride, rows, cols);
        }
    }

    /// <summary>
    /// Zeroes an edge tile's scratch of <paramref name="elements"/> before a call's first tile where the kernel reads it
    /// (β ≠ 0); with β = 0 the first k block writes every lane before a later block reads it. See <see cref="LoadEdgeTile"/>.
    /// </summary>
    private static unsafe void ClearEdgeTile<T>(T* tile, int elements, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (beta != T.Zero)
        {
            new Span<T>(tile, elements).Clear();
        }
    }

    /// <summary>Copies rows × cols between two strided tiles (an edge tile's scratch to C, or C to it).</summary>
    /// <remarks>
    /// A row of at least one 128-bit vector moves as vectors, the last one overlapping the one before (10 floats:
    /// [0, 4), [4, 8), [6, 10)), so nothing outside the row is read or written. A span copy per row cost its call and
    /// size dispatch: the 16 row copies per 8-row tile of a 10-column C (TN 128×32×10, 64-128-10's output-layer
    /// update) were most of its time.
    /// </remarks>
    private static unsafe void CopyRows<T>(T* source, nint sourceStride, T* destination, nint destinationStride, int rows, int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Vector128<T>.Count;
        if (Dispatch.Use128 && cols >= lanes)
        {
            for (int r = 0; r < rows; r++, source += sourceStride, destination += destinationStride)
            {
                for (int j = 0; j < cols - lanes; j += lanes)
                {
                    Vector128.Store(Vector128.Load(source + j), destination + j);
                }

                Vector128.Store(Vector128.Load(source + cols - lanes), destination + cols - lanes);
            }

            return;
        }

        if (cols < ElementCopyColumns)
        {
            for (int r = 0; r < rows; r++, source += sourceStride, destination += destinationStride)
            {
                for (int j = 0; j < cols; j++)
                {
                    destination[j] = source[j];
                }
            }

            return;
        }

        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<T>(source + (r * sourceStride), cols).CopyTo(new Span<T>(destination + (r * destinationStride), cols));
        }
    }

    /// <summary>
    /// Tile rows narrower than this are copied element by element: a span copy of a row costs its call and size
    /// dispatch, ≈ 40 instructions, where two floats cost two moves (the unpacked path's tiles of a 2-column C).
    /// </summary>
    private const int ElementCopyColumns = 8;

    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-column micro-panels: panel q, row p at <c>dst[q·NR·kc + p·NR]</c>,
    /// columns past nc zero; all panels, or only a partial last one (<paramref name="wholePanels"/> false, when the
    /// whole ones are read in place or packed by the kernel).
    /// </summary>
    private static unsafe void PackB<T, TVec, TOps>(in GemmProblem<T> problem, int pc, int kc, int jc, int nc, int nr, T* destination, bool wholePanels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        nint ldb = problem.Ldb;
        for (int jr = wholePanels ? 0 : nc / nr * nr; jr < nc; jr += nr)
        {
            int width = Math.Min(nr, nc - jr);
            T* panel = destination + (jr * kc);
            if (problem.OpB == MatrixOp.None)
            {
                // op(B) row p is contiguous in B: a row copy per k step.
                T* source = problem.B + (pc * ldb) + jc + jr;
                if (width == nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        T* s = source + (p * ldb);
                        T* d = panel + (p * nr);
                        for (int j = 0; j < nr; j += TOps.Count)
                        {
                            TOps.Store(TOps.Load(ref s[j]), ref d[j]);
                        }
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        T* s = source + (p * ldb);
                        T* d = panel + (p * nr);
                        new ReadOnlySpan<T>(s, width).CopyTo(new Span<T>(d, width));
                        new Span<T>(d + width, nr - width).Clear();
                    }
                }
            }
            else
            {
                // op(B) column j is row j of B, contiguous over k. Eight rows at a time, k outermost: each k step
                // reads eight streams and writes eight adjacent slots, instead of one strided store per element.
                T* rows = problem.B + ((jc + jr) * ldb) + pc;
                int j = 0;
                for (; j + 8 <= width; j += 8)
                {
                    T* s = rows + (j * ldb);
                    T* d = panel + j;
                    int p = TransposeBlocks<T, TVec, TOps>(s, ldb, kc, d, nr);
                    d += p * nr;
                    for (; p < kc; p++)
                    {
                        d[0] = s[p];
                        d[1] = s[ldb + p];
                        d[2] = s[(2 * ldb) + p];
                        d[3] = s[(3 * ldb) + p];
                        d[4] = s[(4 * ldb) + p];
                        d[5] = s[(5 * ldb) + p];
                        d[6] = s[(6 * ldb) + p];
                        d[7] = s[(7 * ldb) + p];
                        d += nr;
                    }
                }

                for (; j < width; j++)
                {
                    T* s = rows + (j * ldb);
                    T* d = panel + j;
                    for (int p = 0; p < kc; p++)
                    {
                        d[p * nr] = s[p];
                    }
                }

                if (width < nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        new Span<T>(panel + (p * nr) + width, nr - width).Clear();
                    }
                }
            }
        }
    }

    /// <summary>
    /// <c>destination[p·rows + j] = source[j·ldb + p]</c> for j &lt; rows, p &lt; k: the unpacked path's copy of B for
    /// op(B) = Bᵀ and the tall path's k block of A's rows. Eight rows at a time through the register transposes
    /// (<see cref="TransposeBlocks"/>) where k allows, the rest element by element. Rows of two contiguous values
    /// (k = ldb = 2, the 500 × 2 output layer of 2-500-2 in dZ₂·W₂ᵀ) split a vector pair at a time
    /// (<see cref="IVectorOps{TVec, T}.Deinterleave"/>); other k below four, where no register transpose applies,
    /// copy down each destination row, since a loop over a row of B's few values cost ≈ 3 cycles an element.
    /// </summary>
    private static unsafe void TransposeRows<T, TVec, TOps>(T* source, nint ldb, int rows, int k, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int v = TOps.Count;
        int i = 0;
        if (k == 2 && ldb == 2)
        {
            for (; i + v <= rows; i += v)
            {
                TOps.Deinterleave(TOps.Load(ref source[2 * i]), TOps.Load(ref source[(2 * i) + v]), out TVec first, out TVec second);
                TOps.Store(first, ref destination[i]);
                TOps.Store(second, ref destination[rows + i]);
            }
        }

        if (k < 4)
        {
            for (int p = 0; p < k; p++)
            {
                T* s = source + p;
                T* d = destination + (p * rows);
                for (int j = i; j < rows; j++)
                {
                    d[j] = s[j * ldb];
                }
            }

            return;
        }

        int row = 0;
        for (; row + 8 <= rows; row += 8)
        {
            T* s = source + (row * ldb);
            T* d = destination + row;
            for (int p = TransposeBlocks<T, TVec, TOps>(s, ldb, k, d, rows); p < k; p++)
            {
                for (int r = 0; r < 8; r++)
                {
                    d[(p * rows) + r] = s[(r * ldb) + p];
                }
            }
        }

        for (; row < rows; row++)
        {
            for (int p = 0; p < k; p++)
            {
                destination[(p * rows) + row] = source[(row * ldb) + p];
            }
        }
    }

    /// <summary>
    /// Transposes eight rows of B (<c>source[r·ldb + p]</c>, r &lt; 8) into eight panel columns (<c>destination[p·nr + r]</c>)
    /// for p from 0 in whole blocks of eight k steps and then one of four (float) or two blocks of four rows by four
    /// steps (double), in AVX registers, and returns the first p left for the scalar loop (all of them on paths
    /// narrower than 256 bits).
    /// </summary>
    /// <remarks>
    /// Scalar, the transposed pack is one load and one store per element; on the NT backprop shape (64×256×784,
    /// where each packed element serves only 64 rows) NT took 1.20–1.39× NN's time with it and 1.10–1.12× with the
    /// transposes (Stopwatch minima on a Xeon, old and new build in turn, loaded machine). A float block is
    /// eight 128-bit loads paired into 256-bit registers (row r's half in the low lane, row r + 4's in the high:
    /// vinsertf128 from memory uses no shuffle port), then two rounds of in-lane shuffles: unpack interleaves row
    /// pairs, shufps picks pairs of pairs, so register q holds k step q of rows 0–3 low and 4–7 high. 16 shuffles
    /// per 64 elements.
    /// </remarks>
    private static unsafe int TransposeBlocks<T, TVec, TOps>(T* source, nint ldb, int kc, T* destination, int nr)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        if (!Avx.IsSupported || TOps.Count * sizeof(T) < Vector256<byte>.Count)
        {
            return 0;
        }

        int p = 0;
        if (typeof(T) == typeof(float))
        {
            for (; p + 8 <= kc; p += 8)
            {
                Transpose8x8((float*)source + p, ldb, (float*)destination + (p * nr), nr);
            }

            // Four more steps by the half-block: a k block of 125 (500 in four) leaves 5 steps, 40 scalar copies, here 8.
            if (p + 4 <= kc)
            {
                float* s = (float*)source + p;
                Transpose4Steps(
                    Pair(s, s + (4 * ldb)), Pair(s + ldb, s + (5 * ldb)), Pair(s + (2 * ldb), s + (6 * ldb)), Pair(s + (3 * ldb), s + (7 * ldb)),
                    (float*)destination + (p * nr), nr);
                p += 4;
            }
        }
        else
        {
            for (; p + 4 <= kc; p += 4)
            {
                Transpose4x4((double*)source + p, ldb, (double*)destination + (p * nr), nr);
                Transpose4x4((double*)source + (4 * ldb) + p, ldb, (double*)destination + (p * nr) + 4, nr);
            }
        }

        return p;
    }

    /// <summary><c>destination[q·stride + r] = source[r·ldb + q]</c> for r, q &lt; 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* source, nint ldb, float* destination, nint stride)
    {
        // Steps 0–3 of rows r and r + 4 in one register, then steps 4–7.
        Vector256<float> low0 = Pair(source, source + (4 * ldb));
        Vector256<float> low1 = Pair(source + ldb, source + (5 * ldb));
        Vector256<float> low2 = Pair(source + (2 * ldb), source + (6 * ldb));
        Vector256<float> low3 = Pair(source + (3 * ldb), source + (7 * ldb));
        Vector256<float> high0 = Pair(source + 4, source + (4 * ldb) + 4);
        Vector256<float> high1 = Pair(source + ldb + 4, source + (5 * ldb) + 4);
        Vector256<float> high2 = Pair(source + (2 * ldb) + 4, source + (6 * ldb) + 4);
        Vector256<float> high3 = Pair(source + (3 * ldb) + 4, source + (7 * ldb) + 4);
        Transpose4Steps(low0, low1, low2, low3, destination, stride);
        Transpose4Steps(high0, high1, high2, high3, destination + (4 * stride), stride);
    }

    /// <summary>
    /// From <c>rowR = [r's steps 0–3 | (r + 4)'s steps 0–3]</c> for r &lt; 4, stores step q of rows 0–7 at
    /// <c>destination[q·stride]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose4Steps(Vector256<float> row0, Vector256<float> row1, Vector256<float> row2, Vector256<float> row3, float* destination, nint stride)
    {
        // [0₀ 1₀ 0₁ 1₁], [0₂ 1₂ 0₃ 1₃], [2₀ 3₀ 2₁ 3₁], [2₂ 3₂ 2₃ 3₃] in each 128-bit lane (row_step).
        Vector256<float> steps01Of01 = Avx.UnpackLow(row0, row1);
        Vector256<float> steps23Of01 = Avx.UnpackHigh(row0, row1);
        Vector256<float> steps01Of23 = Avx.UnpackLow(row2, row3);
        Vector256<float> steps23Of23 = Avx.UnpackHigh(row2, row3);
        Avx.Store(destination, Avx.Shuffle(steps01Of01, steps01Of23, 0b01_00_01_00));
        Avx.Store(destination + stride, Avx.Shuffle(steps01Of01, steps01Of23, 0b11_10_11_10));
        Avx.Store(destination + (2 * stride), Avx.Shuffle(steps23Of01, steps23Of23, 0b01_00_01_00));
        Avx.Store(destination + (3 * stride), Avx.Shuffle(steps23Of01, steps23Of23, 0b11_10_11_10));
    }

    /// <summary>
    /// Steps 0–7 of six rows of A as a 6-row panel, <c>destination[6q + r] = rows[r·lda + q]</c>, by the 8 × 8 transpose
    /// with rows 6 and 7 repeating row 5. Step q's eight values go to <c>destination + 6q</c> in step order, so its two
    /// junk lanes land on step q + 1's first slots and are overwritten by it; step 7's land on
    /// <c>destination[48..50)</c>, which the caller writes afterwards. 16 loads, 16 shuffles and 8 stores where the
    /// scalar interleave takes 48 loads and 48 stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PackSixRows(float* rows, nint lda, float* destination)
    {
        float* row5 = rows + (5 * lda);
        Vector256<float> low0 = Pair(rows, rows + (4 * lda));
        Vector256<float> low1 = Pair(rows + lda, row5);
        Vector256<float> low2 = Pair(rows + (2 * lda), row5);
        Vector256<float> low3 = Pair(rows + (3 * lda), row5);
        Vector256<float> high0 = Pair(rows + 4, rows + (4 * lda) + 4);
        Vector256<float> high1 = Pair(rows + lda + 4, row5 + 4);
        Vector256<float> high2 = Pair(rows + (2 * lda) + 4, row5 + 4);
        Vector256<float> high3 = Pair(rows + (3 * lda) + 4, row5 + 4);
        Transpose4Steps(low0, low1, low2, low3, destination, 6);
        Transpose4Steps(high0, high1, high2, high3, destination + 24, 6);
    }

    /// <summary>Four floats from <paramref name="low"/> in the low lane and four from <paramref name="high"/> in the high lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Pair(float* low, float* high) =>
        Vector256.Create(Vector128.Load(low), Vector128.Load(high));

    /// <summary><c>destination[q·stride + r] = source[r·ldb + q]</c> for r, q &lt; 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose4x4(double* source, nint ldb, double* destination, nint stride)
    {
        // [r₀ r₁ | (r + 2)₀ (r + 2)₁] and the same for steps 2–3, for r = 0, 1.
        Vector256<double> low0 = Vector256.Create(Vector128.Load(source), Vector128.Load(source + (2 * ldb)));
        Vector256<double> low1 = Vector256.Create(Vector128.Load(source + ldb), Vector128.Load(source + (3 * ldb)));
        Vector256<double> high0 = Vector256.Create(Vector128.Load(source + 2), Vector128.Load(source + (2 * ldb) + 2));
        Vector256<double> high1 = Vector256.Create(Vector128.Load(source + ldb + 2), Vector128.Load(source + (3 * ldb) + 2));
        Avx.Store(destination, Avx.UnpackLow(low0, low1));
        Avx.Store(destination + stride, Avx.UnpackHigh(low0, low1));
        Avx.Store(destination + (2 * stride), Avx.UnpackLow(high0, high1));
        Avx.Store(destination + (3 * stride), Avx.UnpackHigh(high0, high1));
    }

    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row micro-panels: panel q, step p at <c>dst[q·MR·kc + p·MR]</c>,
    /// rows past mc zero.
    /// </summary>
    /// <remarks>
    /// The vector moves stay within the path's width, as <see cref="TransposeBlocks"/> does: a forced narrower path
    /// runs its own instructions only.
    /// </remarks>
    private static unsafe void PackA<T, TVec, TOps>(in GemmProblem<T> problem, int ic, int mc, int pc, int kc, int mr, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        int pathBytes = TOps.Count * sizeof(T);
        nint lda = problem.Lda;
        int ir0 = 0;
        if (problem.OpA == MatrixOp.Transpose && mr == 6 && Vector128.IsHardwareAccelerated && pathBytes >= Vector128<byte>.Count)
        {
            ir0 = mc / 6 * 6;
            PackTransposedPanels(problem.A + (pc * lda) + ic, lda, ir0 / 6, kc, destination);
        }

        for (int ir = ir0; ir < mc; ir += mr)
        {
            int height = Math.Min(mr, mc - ir);
            T* panel = destination + (ir * kc);
            if (problem.OpA == MatrixOp.None)
            {
                // op(A) row i is row i of A, contiguous over k. A full panel reads its MR rows side by side, k
                // outermost, so each k step writes MR adjacent slots.
                T* rows = problem.A + ((ic + ir) * lda) + pc;
                if (height == 6 && mr == 6)
                {
                    T* d = panel;
                    int p = 0;
                    if (typeof(T) == typeof(float) && Avx.IsSupported && pathBytes >= Vector256<byte>.Count)
                    {
                        // p + 8 < kc: the group's last junk lanes fall on step p + 8, which the loop below writes.
                        for (; p + 8 < kc; p += 8)
                        {
                            PackSixRows((float*)rows + p, lda, (float*)d);
                            d += 48;
                        }
                    }

                    for (; p < kc; p++)
                    {
                        d[0] = rows[p];
                        d[1] = rows[lda + p];
                        d[2] = rows[(2 * lda) + p];
                        d[3] = rows[(3 * lda) + p];
                        d[4] = rows[(4 * lda) + p];
                        d[5] = rows[(5 * lda) + p];
                        d += 6;
                    }
                }
                else
                {
                    for (int r = 0; r < height; r++)
                    {
                        T* s = rows + (r * lda);
                        T* d = panel + r;
                        for (int p = 0; p < kc; p++)
                        {
                            d[p * mr] = s[p];
                        }
                    }
                }
            }
            else
            {
                // op(A) column p is row p of A: MR contiguous values per k step.
                for (int p = 0; p < kc; p++)
                {
                    T* s = problem.A + ((pc + p) * lda) + ic + ir;
                    T* d = panel + (p * mr);
                    for (int r = 0; r < height; r++)
                    {
                        d[r] = s[r];
                    }
                }
            }

            if (height < mr)
            {
                for (int p = 0; p < kc; p++)
                {
                    new Span<T>(panel + (p * mr) + height, mr - height).Clear();
                }
            }
        }
    }

    /// <summary>
    /// The whole 6-row panels of op(A) = Aᵀ: <c>destination[q·6·kc + 6p + r] = rows[p·lda + 6q + r]</c> for
    /// <paramref name="panels"/> panels q. Column p of op(A) is row p of A, so each k step moves six contiguous values
    /// per panel, as 128-bit vectors, the last one overlapping the one before where six is not a whole number of them
    /// (floats: [0, 4) and [2, 6)). k steps run outermost: each row of A is read once, front to back, while each panel
    /// receives its next slots. Panel by panel, each panel walked down kc rows lda apart, a strided stream in which
    /// each new line of A was a demand miss (the likely reason; no hardware counters in this VM), and `perf` put the
    /// pack at 3 % of the 784-256-10 batch-64 step (its TN 784×64×256 weight gradient). Worth (Zen 4, AVX-512,
    /// Stopwatch, min of interleaved rounds): TN 1024×128×64 196.9 → 184.8 µs, TN 784×64×256 249.5 → 243.5 µs, the
    /// 784-256-10 batch-64 step 532 → 517 µs. The same slots receive the same values: the bits are unchanged.
    /// </summary>
    private static unsafe void PackTransposedPanels<T>(T* rows, nint lda, int panels, int kc, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = Vector128<T>.Count;
        nint panelStride = 6 * kc;
        for (int p = 0; p < kc; p++)
        {
            T* s = rows + (p * lda);
            T* d = destination + (p * 6);
            for (int q = 0; q < panels; q++)
            {
                for (int r = 0; r < 6 - lanes; r += lanes)
                {
                    Vector128.Store(Vector128.Load(s + r), d + r);
                }

                Vector128.Store(Vector128.Load(s + 6 - lanes), d + 6 - lanes);
                s += 6;
                d += panelStride;
            }
        }
    }
}
