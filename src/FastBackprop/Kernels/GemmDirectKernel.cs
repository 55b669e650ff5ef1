using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>A row count known to the JIT, so one kernel body compiles to a 1-, 2-, 4-, 6- or 8-row tile.</summary>
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

internal readonly struct Rows6 : IRowCount
{
    public static int Value => 6;
}

internal readonly struct Rows8 : IRowCount
{
    public static int Value => 8;
}

/// <summary>Vectors of columns in an unpacked GEMM tile, known to the JIT like <see cref="IRowCount"/>.</summary>
internal interface IVectorCount
{
    static abstract int Value { get; }
}

internal readonly struct OneVector : IVectorCount
{
    public static int Value => 1;
}

internal readonly struct TwoVectors : IVectorCount
{
    public static int Value => 2;
}

internal readonly struct FourVectors : IVectorCount
{
    public static int Value => 4;
}

/// <summary>
/// Unpacked GEMM kernel for small problems: an R × W-vector tile (W = 1 or 2, or 4 for R ≤ 2) read straight from the
/// caller's A and B.
/// <c>C[R × W·V] = α·Σ_p A[r, p]·B[p, 0..W·V) + β·C</c> with A element (r, p) at <c>a[r·aRow + p·aK]</c> (either
/// transpose of A is a pair of strides) and B row p at <c>b + p·ldb</c>, W·V contiguous values.
/// </summary>
/// <remarks>
/// Same arithmetic per element as the packed kernels (one FMA chain over p, then <c>acc·α + β·c</c>), so a
/// result depends neither on the row count R, nor on the width W, nor on the thread split. 8 × 2 accumulators + 2 B
/// vectors + 1 broadcast fit AVX-512's 32 registers; 8 × 1 + 1 + 1 and 2 × 4 + 4 + 1 fit every path's 16. With one
/// vector, eight FMA chains of latency 4 on two pipes leave no slack, and each FMA brings its own broadcast load: a C
/// loop of that tile ran 68 GFLOP/s on this Xeon (peak 134–158), the two-vector tile 95. Four vectors serve only one
/// or two rows: rows 2–7 have no third and fourth accumulators, so a taller four-vector tile throws (a JIT-time test,
/// gone from the tiles that exist).
/// </remarks>
internal readonly unsafe struct GemmDirectKernel<TVec, T, TOps, TRows, TVectors>
    where TVec : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TOps : IVectorOps<TVec, T>
    where TRows : struct, IRowCount
    where TVectors : struct, IVectorCount
{
    // Hot loop: every call below must inline; the `TRows.Value > r`, `two` and `four` tests are JIT-time constants.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(nint k, T* a, nint aRow, nint aK, T* b, nint ldb, T* c, nint ldc, T alpha, T beta)
    {
        bool two = TVectors.Value >= 2;
        bool four = TVectors.Value == 4;
        if (four && TRows.Value > 2)
        {
            throw new NotSupportedException($"A four-vector tile has at most two rows, not {TRows.Value}.");
        }

        nint v = TOps.Count;
        TVec c0 = TOps.Create(T.Zero), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        TVec d0 = c0, d1 = c0, d2 = c0, d3 = c0, d4 = c0, d5 = c0, d6 = c0, d7 = c0;
        TVec e0 = c0, e1 = c0, f0 = c0, f1 = c0;
        nint o1 = aRow, o2 = 2 * aRow, o3 = 3 * aRow, o4 = 4 * aRow, o5 = 5 * aRow, o6 = 6 * aRow, o7 = 7 * aRow;
        for (nint p = 0; p < k; p++)
        {
            TVec bv = TOps.Load(ref *b);
            TVec bw = two ? TOps.Load(ref b[v]) : bv;
            TVec bx = four ? TOps.Load(ref b[2 * v]) : bv;
            TVec by = four ? TOps.Load(ref b[3 * v]) : bv;
            TVec x0 = TOps.Create(a[0]);
            Step(x0, bv, bw, ref c0, ref d0);
            if (four)
            {
                Step(x0, bx, by, ref e0, ref f0);
            }

            if (TRows.Value > 1)
            {
                TVec x1 = TOps.Create(a[o1]);
                Step(x1, bv, bw, ref c1, ref d1);
                if (four)
                {
                    Step(x1, bx, by, ref e1, ref f1);
                }
            }

            if (TRows.Value > 2)
            {
                Step(TOps.Create(a[o2]), bv, bw, ref c2, ref d2);
                Step(TOps.Create(a[o3]), bv, bw, ref c3, ref d3);
            }

            if (TRows.Value > 4)
            {
                Step(TOps.Create(a[o4]), bv, bw, ref c4, ref d4);
                Step(TOps.Create(a[o5]), bv, bw, ref c5, ref d5);
                Step(TOps.Create(a[o6]), bv, bw, ref c6, ref d6);
                Step(TOps.Create(a[o7]), bv, bw, ref c7, ref d7);
            }

            a += aK;
            b += ldb;
        }

        TVec va = TOps.Create(alpha);
        TVec vb = TOps.Create(beta);
        bool overwrite = beta == T.Zero;
        StoreRow(c0, d0, c, v, va, vb, overwrite);
        if (four)
        {
            StoreRow(e0, f0, c + (2 * v), v, va, vb, overwrite);
        }

        if (TRows.Value > 1)
        {
            StoreRow(c1, d1, c + ldc, v, va, vb, overwrite);
            if (four)
            {
                StoreRow(e1, f1, c + ldc + (2 * v), v, va, vb, overwrite);
            }
        }

        if (TRows.Value > 2)
        {
            StoreRow(c2, d2, c + (2 * ldc), v, va, vb, overwrite);
            StoreRow(c3, d3, c + (3 * ldc), v, va, vb, overwrite);
        }

        if (TRows.Value > 4)
        {
            StoreRow(c4, d4, c + (4 * ldc), v, va, vb, overwrite);
            StoreRow(c5, d5, c + (5 * ldc), v, va, vb, overwrite);
            StoreRow(c6, d6, c + (6 * ldc), v, va, vb, overwrite);
            StoreRow(c7, d7, c + (7 * ldc), v, va, vb, overwrite);
        }
    }

    /// <summary>
    /// One k step of one row and two of its vectors: <c>first += x·bv</c>, and <c>second += x·bw</c> where the tile
    /// has two or four vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(TVec x, TVec bv, TVec bw, ref TVec first, ref TVec second)
    {
        first = TOps.MultiplyAdd(x, bv, first);
        if (TVectors.Value >= 2)
        {
            second = TOps.MultiplyAdd(x, bw, second);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(TVec first, TVec second, T* c, nint v, TVec alpha, TVec beta, bool overwrite)
    {
        GemmEpilogue.Update<TVec, T, TOps>(first, c, alpha, beta, overwrite);
        if (TVectors.Value >= 2)
        {
            GemmEpilogue.Update<TVec, T, TOps>(second, c + v, alpha, beta, overwrite);
        }
    }
}
