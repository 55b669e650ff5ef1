using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// Packed GEMM microkernel, 6 rows × 4 vectors: 6×64 floats (6×32 doubles) with AVX-512. 24 accumulators +
/// 4 B vectors + 1 broadcast = 29 of the 32 zmm registers: spill-free (accumulators + B vectors + 1 broadcast ≤ the 32 registers), and 4 B
/// loads per broadcast keeps the two FMA pipes fed from one or two loads a cycle.
/// </summary>
internal readonly unsafe struct GemmMicrokernel6x4V<TVec, T, TOps> : IGemmMicrokernel<T>
    where TVec : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TOps : IVectorOps<TVec, T>
{
    public static int MR => 6;

    public static int NR => 4 * TOps.Count;

    // Hot loop: every call below must inline (IVectorOps members are AggressiveInlining); a call spills the tile.
    // Never inlined itself: dynamic PGO inlined the 6×2V kernel into RunPacked's hot call site after ~2 s, where its own
    // callees stopped inlining and the tile spilled (NN 64×784×256 on two threads, AVX2: 140 µs → 1.5 ms per call).
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Run<TCopy, TRows>(nint kc, T* a, nint lda, T* b, nint ldb, T* packedB, T* c, nint ldc, T alpha, T beta)
        where TCopy : struct, IBPanelCopy
        where TRows : struct, IRowCount
    {
        // Rows 2–3 and 4–5 only where the tile has them: JIT-time constants, so each height is its own loop.
        PackedTileRows.Check<TRows>();
        bool fourRows = TRows.Value >= 4;
        bool sixRows = TRows.Value == 6;
        nint v = TOps.Count;
        TVec c00 = TOps.Create(T.Zero), c01 = c00, c02 = c00, c03 = c00;
        TVec c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        TVec c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        TVec c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        TVec c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        TVec c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (nint p = 0; p < kc; p++)
        {
            TVec b0 = TOps.Load(ref b[0]);
            TVec b1 = TOps.Load(ref b[v]);
            TVec b2 = TOps.Load(ref b[2 * v]);
            TVec b3 = TOps.Load(ref b[3 * v]);
            if (TCopy.Copies)
            {
                TOps.Store(b0, ref packedB[0]);
                TOps.Store(b1, ref packedB[v]);
                TOps.Store(b2, ref packedB[2 * v]);
                TOps.Store(b3, ref packedB[3 * v]);
                packedB += 4 * v;
            }

            TVec ar = TOps.Create(a[0]);
            c00 = TOps.MultiplyAdd(ar, b0, c00);
            c01 = TOps.MultiplyAdd(ar, b1, c01);
            c02 = TOps.MultiplyAdd(ar, b2, c02);
            c03 = TOps.MultiplyAdd(ar, b3, c03);
            ar = TOps.Create(a[1]);
            c10 = TOps.MultiplyAdd(ar, b0, c10);
            c11 = TOps.MultiplyAdd(ar, b1, c11);
            c12 = TOps.MultiplyAdd(ar, b2, c12);
            c13 = TOps.MultiplyAdd(ar, b3, c13);
            if (fourRows)
            {
                ar = TOps.Create(a[2]);
                c20 = TOps.MultiplyAdd(ar, b0, c20);
                c21 = TOps.MultiplyAdd(ar, b1, c21);
                c22 = TOps.MultiplyAdd(ar, b2, c22);
                c23 = TOps.MultiplyAdd(ar, b3, c23);
                ar = TOps.Create(a[3]);
                c30 = TOps.MultiplyAdd(ar, b0, c30);
                c31 = TOps.MultiplyAdd(ar, b1, c31);
                c32 = TOps.MultiplyAdd(ar, b2, c32);
                c33 = TOps.MultiplyAdd(ar, b3, c33);
            }

            if (sixRows)
            {
                ar = TOps.Create(a[4]);
                c40 = TOps.MultiplyAdd(ar, b0, c40);
                c41 = TOps.MultiplyAdd(ar, b1, c41);
                c42 = TOps.MultiplyAdd(ar, b2, c42);
                c43 = TOps.MultiplyAdd(ar, b3, c43);
                ar = TOps.Create(a[5]);
                c50 = TOps.MultiplyAdd(ar, b0, c50);
                c51 = TOps.MultiplyAdd(ar, b1, c51);
                c52 = TOps.MultiplyAdd(ar, b2, c52);
                c53 = TOps.MultiplyAdd(ar, b3, c53);
            }

            a += lda;
            b += ldb;
        }

        TVec va = TOps.Create(alpha);
        TVec vb = TOps.Create(beta);
        bool overwrite = beta == T.Zero;
        StoreRow(c00, c01, c02, c03, c, v, va, vb, overwrite);
        StoreRow(c10, c11, c12, c13, c + ldc, v, va, vb, overwrite);
        if (fourRows)
        {
            StoreRow(c20, c21, c22, c23, c + (2 * ldc), v, va, vb, overwrite);
            StoreRow(c30, c31, c32, c33, c + (3 * ldc), v, va, vb, overwrite);
        }

        if (sixRows)
        {
            StoreRow(c40, c41, c42, c43, c + (4 * ldc), v, va, vb, overwrite);
            StoreRow(c50, c51, c52, c53, c + (5 * ldc), v, va, vb, overwrite);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(TVec r0, TVec r1, TVec r2, TVec r3, T* c, nint v, TVec alpha, TVec beta, bool overwrite)
    {
        GemmEpilogue.Update<TVec, T, TOps>(r0, c, alpha, beta, overwrite);
        GemmEpilogue.Update<TVec, T, TOps>(r1, c + v, alpha, beta, overwrite);
        GemmEpilogue.Update<TVec, T, TOps>(r2, c + (2 * v), alpha, beta, overwrite);
        GemmEpilogue.Update<TVec, T, TOps>(r3, c + (3 * v), alpha, beta, overwrite);
    }
}
