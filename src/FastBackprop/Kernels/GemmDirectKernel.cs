using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>A row count known to the JIT, so one kernel body compiles to a 1-, 2-, 4- or 8-row tile.</summary>
internal interface IRowCount
{
    static abstract int Value { get; }
}

internal readonly struct Rows1 : IRowCount
{
    public static int Value => 1;
}

internal readonly struct Rows2 : IRowCount
{
    public static int Value => 2;
}

internal readonly struct Rows4 : IRowCount
{
    public static int Value => 4;
}

internal readonly struct Rows8 : IRowCount
{
    public static int Value => 8;
}

/// <summary>
/// Unpacked GEMM kernel for small problems: an R×(one vector) tile read straight from the caller's A and B.
/// <c>C[R × V] = α·Σ_p A[r, p]·B[p, 0..V) + β·C</c> with A element (r, p) at <c>a[r·aRow + p·aK]</c> (either
/// transpose of A is a pair of strides) and B row p at <c>b + p·ldb</c>, V contiguous values.
/// </summary>
/// <remarks>
/// Same arithmetic per element as the packed kernels (one FMA chain over p, then <c>acc·α + β·c</c>), so a
/// result does not depend on the row count R or on the thread split. Up to 8 accumulators + 1 B vector + 1
/// broadcast: spill-free on every path.
/// </remarks>
internal readonly unsafe struct GemmDirectKernel<TVec, T, TOps, TRows>
    where TVec : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TOps : IVectorOps<TVec, T>
    where TRows : struct, IRowCount
{
    // Hot loop: every call below must inline; the `TRows.Value > r` tests are JIT-time constants.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(nint k, T* a, nint aRow, nint aK, T* b, nint ldb, T* c, nint ldc, T alpha, T beta)
    {
        TVec c0 = TOps.Create(T.Zero), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        nint o1 = aRow, o2 = 2 * aRow, o3 = 3 * aRow, o4 = 4 * aRow, o5 = 5 * aRow, o6 = 6 * aRow, o7 = 7 * aRow;
        for (nint p = 0; p < k; p++)
        {
            TVec bv = TOps.Load(ref *b);
            c0 = TOps.MultiplyAdd(TOps.Create(a[0]), bv, c0);
            if (TRows.Value > 1)
            {
                c1 = TOps.MultiplyAdd(TOps.Create(a[o1]), bv, c1);
            }

            if (TRows.Value > 2)
            {
                c2 = TOps.MultiplyAdd(TOps.Create(a[o2]), bv, c2);
                c3 = TOps.MultiplyAdd(TOps.Create(a[o3]), bv, c3);
            }

            if (TRows.Value > 4)
            {
                c4 = TOps.MultiplyAdd(TOps.Create(a[o4]), bv, c4);
                c5 = TOps.MultiplyAdd(TOps.Create(a[o5]), bv, c5);
                c6 = TOps.MultiplyAdd(TOps.Create(a[o6]), bv, c6);
                c7 = TOps.MultiplyAdd(TOps.Create(a[o7]), bv, c7);
            }

            a += aK;
            b += ldb;
        }

        TVec va = TOps.Create(alpha);
        TVec vb = TOps.Create(beta);
        bool overwrite = beta == T.Zero;
        GemmEpilogue.Update<TVec, T, TOps>(c0, c, va, vb, overwrite);
        if (TRows.Value > 1)
        {
            GemmEpilogue.Update<TVec, T, TOps>(c1, c + ldc, va, vb, overwrite);
        }

        if (TRows.Value > 2)
        {
            GemmEpilogue.Update<TVec, T, TOps>(c2, c + (2 * ldc), va, vb, overwrite);
            GemmEpilogue.Update<TVec, T, TOps>(c3, c + (3 * ldc), va, vb, overwrite);
        }

        if (TRows.Value > 4)
        {
            GemmEpilogue.Update<TVec, T, TOps>(c4, c + (4 * ldc), va, vb, overwrite);
            GemmEpilogue.Update<TVec, T, TOps>(c5, c + (5 * ldc), va, vb, overwrite);
            GemmEpilogue.Update<TVec, T, TOps>(c6, c + (6 * ldc), va, vb, overwrite);
            GemmEpilogue.Update<TVec, T, TOps>(c7, c + (7 * ldc), va, vb, overwrite);
        }
    }
}
