using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// Packed GEMM microkernel, 6 rows × 2 vectors: 6×16 floats with AVX2, 6×8 with Vector128, 6×2 scalar.
/// 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm/xmm registers: the largest spill-free tile
/// with 16 registers.
/// </summary>
internal readonly unsafe struct GemmMicrokernel6x2V<TVec, T, TOps> : IGemmMicrokernel<T>
    where TVec : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TOps : IVectorOps<TVec, T>
{
    public static int MR => 6;

    public static int NR => 2 * TOps.Count;

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
        TVec c00 = TOps.Create(T.Zero), c01 = c00;
        TVec c10 = c00, c11 = c00;
        TVec c20 = c00, c21 = c00;
        TVec c30 = c00, c31 = c00;
        TVec c40 = c00, c41 = c00;
        TVec c50 = c00, c51 = c00;
        for (nint p = 0; p < kc; p++)
        {
            TVec b0 = TOps.Load(ref b[0]);
            TVec b1 = TOps.Load(ref b[v]);
            if (TCopy.Copies)
            {
                TOps.Store(b0, ref packedB[0]);
                TOps.Store(b1, ref packedB[v]);
                packedB += 2 * v;
            }

            TVec ar = TOps.Create(a[0]);
            c00 = TOps.MultiplyAdd(ar, b0, c00);
            c01 = TOps.MultiplyAdd(ar, b1, c01);
            ar = TOps.Create(a[1]);
            c10 = TOps.MultiplyAdd(ar, b0, c10);
            c11 = TOps.MultiplyAdd(ar, b1, c11);
            if (fourRows)
            {
                ar = TOps.Create(a[2]);
                c20 = TOps.MultiplyAdd(ar, b0, c20);
                c21 = TOps.MultiplyAdd(ar, b1, c21);
                ar = TOps.Create(a[3]);
                c30 = TOps.MultiplyAdd(ar, b0, c30);
                c31 = TOps.MultiplyAdd(ar, b1, c31);
            }

            if (sixRows)
            {
                ar = TOps.Create(a[4]);
                c40 = TOps.MultiplyAdd(ar, b0, c40);
                c41 = TOps.MultiplyAdd(ar, b1, c41);
                ar = TOps.Create(a[5]);
                c50 = TOps.MultiplyAdd(ar, b0, c50);
                c51 = TOps.MultiplyAdd(ar, b1, c51);
            }

            a += lda;
            b += ldb;
        }

        TVec va = TOps.Create(alpha);
        TVec vb = TOps.Create(beta);
        bool overwrite = beta == T.Zero;
        StoreRow(c00, c01, c, v, va, vb, overwrite);
        StoreRow(c10, c11, c + ldc, v, va, vb, overwrite);
        if (fourRows)
        {
            StoreRow(c20, c21, c + (2 * ldc), v, va, vb, overwrite);
            StoreRow(c30, c31, c + (3 * ldc), v, va, vb, overwrite);
        }

        if (sixRows)
        {
            StoreRow(c40, c41, c + (4 * ldc), v, va, vb, overwrite);
            StoreRow(c50, c51, c + (5 * ldc), v, va, vb, overwrite);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(TVec r0, TVec r1, T* c, nint v, TVec alpha, TVec beta, bool overwrite)
    {
        GemmEpilogue.Update<TVec, T, TOps>(r0, c, alpha, beta, overwrite);
        GemmEpilogue.Update<TVec, T, TOps>(r1, c + v, alpha, beta, overwrite);
    }
}
