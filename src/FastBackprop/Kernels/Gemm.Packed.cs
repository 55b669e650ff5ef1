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
    /// Loops, outermost first: NC columns → KC-deep k block (pack B: KC × NC, L3-resident) → MC rows (pack A:
    /// MC × KC, L2-resident) → NR columns (one B micro-panel, L1-resident) → MR rows (kernel). k blocks are
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

        T* c = problem.C;
        nint ldc = problem.Ldc;
        for (int jc = c0; jc < c1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, c1 - jc);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                int pc = kb * kcMax;
                int kc = Math.Min(kcMax, k - pc);
                T beta = kb == 0 ? problem.Beta : T.One;
                PackB<T, TVec, TOps>(problem, pc, kc, jc, nc, nr, packedB);
                for (int ic = r0; ic < r1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, r1 - ic);
                    PackA(problem, ic, mc, pc, kc, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        T* bPanel = packedB + (jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            T* aPanel = packedA + (ir * kc);
                            T* cTile = c + ((ic + ir) * ldc) + jc + jr;
                            if (rows == mr && cols == nr)
                            {
                                TKernel.Run(kc, aPanel, bPanel, cTile, ldc, problem.Alpha, beta);
                            }
                            else
                            {
                                CopyTile(cTile, ldc, tile, nr, rows, cols, beta);
                                TKernel.Run(kc, aPanel, bPanel, tile, nr, problem.Alpha, beta);
                                CopyTile(tile, nr, cTile, ldc, rows, cols, T.One);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Copies rows × cols of a tile between C and scratch, for edge tiles the kernel computes in full. With
    /// <paramref name="beta"/> = 0 the kernel will not read the scratch, so C is not copied in.
    /// </summary>
    private static unsafe void CopyTile<T>(T* source, nint sourceStride, T* destination, nint destinationStride, int rows, int cols, T beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (beta == T.Zero)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<T>(source + (r * sourceStride), cols).CopyTo(new Span<T>(destination + (r * destinationStride), cols));
        }
    }

    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-column micro-panels: panel q, row p at <c>dst[q·NR·kc + p·NR]</c>,
    /// columns past nc zero.
    /// </summary>
    private static unsafe void PackB<T, TVec, TOps>(in GemmProblem<T> problem, int pc, int kc, int jc, int nc, int nr, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TVec : struct
        where TOps : IVectorOps<TVec, T>
    {
        nint ldb = problem.Ldb;
        for (int jr = 0; jr < nc; jr += nr)
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
                    for (int p = 0; p < kc; p++)
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
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row micro-panels: panel q, step p at <c>dst[q·MR·kc + p·MR]</c>,
    /// rows past mc zero.
    /// </summary>
    private static unsafe void PackA<T>(in GemmProblem<T> problem, int ic, int mc, int pc, int kc, int mr, T* destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nint lda = problem.Lda;
        for (int ir = 0; ir < mc; ir += mr)
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
                    for (int p = 0; p < kc; p++)
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
}
