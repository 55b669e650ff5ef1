using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// The contract of a packed GEMM microkernel: <c>C[MR × NR] = α·Ã·B̃ + β·C</c> for one register tile.
/// </summary>
/// <remarks>
/// <para>Ã is an MR-row micro-panel of A: for p = 0..kc−1, the MR values <c>op(A)[i₀ + r, p₀ + p]</c>
/// (r = 0..MR−1) are contiguous, at <c>a[p·lda + r]</c>, lda = MR in packed A or A's own row stride where a whole
/// panel of op(A) = Aᵀ is read in place. B̃ is an NR-column micro-panel: row p holds
/// <c>op(B)[p₀ + p, j₀ + j]</c> at <c>b[p·ldb + j]</c>, ldb = NR in packed B or B's own row stride where a whole
/// panel is read in place (or packed by this kernel as it reads it, <see cref="PackBPanel"/>). Rows and columns past the matrix edge are packed as zeros, so the kernel always computes
/// whole rows of NR (6, 4 or 2 of them); the driver routes edge tiles through a scratch tile.</para>
/// <para>C is row-major with row stride <c>ldc</c>; the kernel writes all its rows' NR elements. β = 0 overwrites C
/// without reading it (NaN there does not propagate). Each element is one fused multiply-add chain over p in
/// order, then <c>acc·α + β·c</c> as one multiply-add: the same operations wherever the tile lies, so results do
/// not depend on how rows and columns are split between threads.</para>
/// <para>b need not be aligned: packed panels are 64-byte aligned, B read in place is wherever the caller's rows are,
/// and the kernels' loads are unaligned ones.</para>
/// </remarks>
internal unsafe interface IGemmMicrokernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile, a multiple of the vector lanes.</summary>
    static abstract int NR { get; }

    /// <summary>
    /// The tile, or its first <typeparamref name="TRows"/> rows: MR = 6, or 4 or 2 for the last panel of an A block
    /// (rows past them are neither computed nor stored, and each computed element has the full tile's chain). With
    /// <see cref="PackBPanel"/> the kernel also stores each B row it loads at <c>packedB[p·NR]</c>, so that the first
    /// tile down a column of tiles packs the micro-panel the others read.
    /// </summary>
    static abstract void Run<TCopy, TRows>(nint kc, T* a, nint lda, T* b, nint ldb, T* packedB, T* c, nint ldc, T alpha, T beta)
        where TCopy : struct, IBPanelCopy
        where TRows : struct, IRowCount;
}

/// <summary>The row counts a packed kernel body takes: MR = 6, and 4 or 2 for a block's last panel.</summary>
internal static class PackedTileRows
{
    /// <summary>
    /// Throws for any other count: rows 0–1 are always computed and stored, so a 1-row body would write a row past a
    /// 1-row C. A JIT-time test, gone from the 6-, 4- and 2-row bodies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check<TRows>()
        where TRows : struct, IRowCount
    {
        if (TRows.Value is not (2 or 4 or 6))
        {
            throw new NotSupportedException($"A packed tile has 6, 4 or 2 rows, not {TRows.Value}.");
        }
    }
}

/// <summary>Whether a microkernel copies the B rows it loads into packed B (a JIT-time constant per kernel body).</summary>
internal interface IBPanelCopy
{
    static abstract bool Copies { get; }
}

/// <summary>B is read where it lies or already packed: nothing is copied.</summary>
internal readonly struct KeepBPanel : IBPanelCopy
{
    public static bool Copies => false;
}

/// <summary>The kernel packs the micro-panel as it reads it.</summary>
internal readonly struct PackBPanel : IBPanelCopy
{
    public static bool Copies => true;
}

/// <summary>The tile epilogue shared by every GEMM kernel.</summary>
internal static unsafe class GemmEpilogue
{
    /// <summary><c>c = acc·α</c> when <paramref name="overwrite"/> (β = 0), else <c>c = acc·α + β·c</c> as one multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update<TVec, T, TOps>(TVec acc, T* c, TVec alpha, TVec beta, bool overwrite)
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
    {
        TVec result = overwrite
            ? TOps.Multiply(acc, alpha)
            : TOps.MultiplyAdd(acc, alpha, TOps.Multiply(beta, TOps.Load(ref *c)));
        TOps.Store(result, ref *c);
    }
}
