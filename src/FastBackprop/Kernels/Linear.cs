using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// The vector helpers of a dense layer and its update: bias add over rows, the bias gradient (column sums), and
/// the level-1 updates axpy and scale. Matrices are row-major <c>[rows × cols]</c>.
/// </summary>
/// <remarks>
/// Values are not validated: NaN and ±∞ flow through by IEEE arithmetic. <see cref="Axpy{T}"/> uses a fused
/// multiply-add where the hardware has one (all paths but SSE-only x86 and scalar fallback without FMA), so results
/// may differ between paths by one rounding.
/// </remarks>
public static class Linear
{
    /// <summary>Bias add over rows: <c>y[r, c] += bias[c]</c> for a row-major <c>[rows × cols]</c> matrix <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> or <paramref name="cols"/> is negative, <c>rows × cols</c> is not the length of
    /// <paramref name="y"/>, <paramref name="bias"/> does not have length <paramref name="cols"/>, or <paramref name="y"/> overlaps <paramref name="bias"/>.
    /// </exception>
    public static void AddBias<T>(ReadOnlySpan<T> bias, int rows, int cols, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(y.Length, rows, cols, nameof(y));
        Guard.LengthIs(bias.Length, cols, nameof(bias), nameof(cols));
        Guard.NoOverlap(bias, y, nameof(bias), nameof(y));
        BiasDriver.AddBias(bias, rows, cols, y);
    }

    /// <summary>
    /// Bias gradient, the column sums of the upstream gradient: <c>db[c] = Σ_r dy[r, c]</c> for a row-major
    /// <c>[rows × cols]</c> <paramref name="dy"/>; <paramref name="db"/> (length <paramref name="cols"/>) is overwritten
    /// (all zeros when <paramref name="rows"/> is 0).
    /// </summary>
    /// <remarks>Rows are added in order, in <typeparamref name="T"/>: the rounding error grows at most linearly with <paramref name="rows"/>.</remarks>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> or <paramref name="cols"/> is negative, <c>rows × cols</c> is not the length of
    /// <paramref name="dy"/>, <paramref name="db"/> does not have length <paramref name="cols"/>, or <paramref name="db"/> overlaps <paramref name="dy"/>.
    /// </exception>
    public static void BiasGradient<T>(ReadOnlySpan<T> dy, int rows, int cols, Span<T> db)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(dy.Length, rows, cols, nameof(dy));
        Guard.LengthIs(db.Length, cols, nameof(db), nameof(cols));
        Guard.NoOverlap(dy, db, nameof(dy), nameof(db));
        if (rows == 0)
        {
            db.Clear();
            return;
        }

        BiasDriver.ColumnSums(dy, rows, cols, db);
    }

    /// <summary><c>y ← α·x + y</c>, element-wise (a gradient-descent step is <c>Axpy(−η, gradient, weights)</c>).</summary>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> overlaps <paramref name="x"/> other than exactly.</exception>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.SameLength(y.Length, x.Length, nameof(y), nameof(x));
        Guard.NoPartialOverlap(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(new AxpyOperator<T>(alpha), x, y, y);
    }

    /// <summary><c>x ← α·x</c>, element-wise.</summary>
    public static void Scale<T>(T alpha, Span<T> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        ElementwiseDriver.Run(new ScaleOperator<T>(alpha), x, x);
    }

    /// <summary>x + y.</summary>
    internal readonly struct AddOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec y)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Add(x, y);
    }

    /// <summary>x · y.</summary>
    internal readonly struct MultiplyOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec y)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(x, y);
    }

    /// <summary>α·x + y, fused where the hardware can.</summary>
    internal readonly struct AxpyOperator<T>(T alpha) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec y)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.MultiplyAdd(TOps.Create(alpha), x, y);
    }

    /// <summary>α·x.</summary>
    internal readonly struct ScaleOperator<T>(T alpha) : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(TOps.Create(alpha), x);
    }
}
