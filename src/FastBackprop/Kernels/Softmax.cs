using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// Row-wise softmax and log-softmax of a row-major <c>[rows × cols]</c> matrix of logits, and their backward
/// passes from the output.
/// </summary>
/// <remarks>
/// <para>
/// Both subtract the row maximum m first, so no finite logit overflows: <c>softmax(x)ⱼ = exp(xⱼ − m) / Σₖ exp(xₖ − m)</c>
/// and <c>log_softmax(x)ⱼ = (xⱼ − m) − log Σₖ exp(xₖ − m)</c>. Logits 1000 and −1000 in one row give probabilities
/// 1 and 0 (log-probabilities 0 and −2000).
/// </para>
/// <para>
/// Non-finite logits (values are never validated, nothing throws on them):
/// a −∞ logit in a row with a finite maximum gives probability exactly 0 (log-probability −∞), which is how a
/// mask is applied. +∞ logits are the limit of equal large logits: the k entries at +∞ share the row equally
/// (1/k each, log-probability −log k) and every other entry gets 0 (−∞). A row whose logits are all −∞ has no
/// distribution and gives NaN everywhere, as does any row that contains a NaN.
/// </para>
/// <para>
/// The destination may be the input itself (in place) but must not partially overlap it. Sums over a row are
/// taken in the element type (float or double), in vector lanes.
/// </para>
/// </remarks>
public static class Softmax
{
    /// <summary>Row-wise softmax: <c>y[r, j] = exp(x[r, j] − mᵣ) / Σₖ exp(x[r, k] − mᵣ)</c>, <c>mᵣ = maxₖ x[r, k]</c>.</summary>
    /// <param name="x">Logits, <c>[rows × cols]</c> row-major.</param>
    /// <param name="rows">Number of rows (samples).</param>
    /// <param name="cols">Row length (classes).</param>
    /// <param name="y">Probabilities, <c>[rows × cols]</c>; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> or <paramref name="cols"/> is negative, <c>rows × cols</c> is not the length of
    /// <paramref name="x"/>, <paramref name="y"/> has another length, or <paramref name="y"/> partially overlaps <paramref name="x"/>.
    /// </exception>
    public static void Forward<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, rows, cols, y, nameof(x), nameof(y));
        if (ShortRowDriver.Applies<T>(cols))
        {
            ShortRowDriver.Softmax(x, rows, cols, y, new UnaryRows<ForwardRow<T>, T>(x, cols, y));
            return;
        }

        RowwiseDriver.Run(default(ForwardRow<T>), x, x, y, rows, cols);
    }

    /// <summary>
    /// Softmax backward from the output: <c>dx[r, :] = y[r, :] ⊙ (dy[r, :] − ⟨dy[r, :], y[r, :]⟩)</c>, the row's
    /// Jacobian <c>∂yₙ/∂xᵢ = yₙ(δₙᵢ − yᵢ)</c> applied to <paramref name="dy"/>.
    /// </summary>
    /// <param name="y">Softmax output, <c>[rows × cols]</c>.</param>
    /// <param name="dy">Upstream gradient, <c>[rows × cols]</c>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <param name="dx">Gradient at the logits, <c>[rows × cols]</c>; may be <paramref name="y"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, <c>rows × cols</c> is not the length of <paramref name="y"/>, another span's length differs,
    /// or <paramref name="dx"/> partially overlaps an input.
    /// </exception>
    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(y, dy, rows, cols, dx, nameof(y), nameof(dy), nameof(dx));
        RowwiseDriver.Run(default(BackwardRow<T>), y, dy, dx, rows, cols);
    }

    /// <summary>Row-wise log-softmax: <c>y[r, j] = (x[r, j] − mᵣ) − log Σₖ exp(x[r, k] − mᵣ)</c>, <c>mᵣ = maxₖ x[r, k]</c>.</summary>
    /// <param name="x">Logits, <c>[rows × cols]</c> row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <param name="y">Log-probabilities, <c>[rows × cols]</c>; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> or <paramref name="cols"/> is negative, <c>rows × cols</c> is not the length of
    /// <paramref name="x"/>, <paramref name="y"/> has another length, or <paramref name="y"/> partially overlaps <paramref name="x"/>.
    /// </exception>
    public static void LogForward<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, rows, cols, y, nameof(x), nameof(y));
        if (ShortRowDriver.Applies<T>(cols))
        {
            ShortRowDriver.LogSoftmax(x, rows, cols, y, new UnaryRows<LogForwardRow<T>, T>(x, cols, y));
            return;
        }

        RowwiseDriver.Run(default(LogForwardRow<T>), x, x, y, rows, cols);
    }

    /// <summary>Log-softmax backward from the output: <c>dx[r, :] = dy[r, :] − exp(y[r, :]) · Σⱼ dy[r, j]</c>.</summary>
    /// <param name="y">Log-softmax output, <c>[rows × cols]</c>.</param>
    /// <param name="dy">Upstream gradient, <c>[rows × cols]</c>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <param name="dx">Gradient at the logits, <c>[rows × cols]</c>; may be <paramref name="y"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, <c>rows × cols</c> is not the length of <paramref name="y"/>, another span's length differs,
    /// or <paramref name="dx"/> partially overlaps an input.
    /// </exception>
    public static void LogBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(y, dy, rows, cols, dx, nameof(y), nameof(dy), nameof(dx));
        RowwiseDriver.Run(default(LogBackwardRow<T>), y, dy, dx, rows, cols);
    }

    /// <summary>
    /// Softmax (or log-softmax) of a row whose maximum <paramref name="max"/> is not finite: +∞ entries share the row,
    /// everything else is 0 (−∞); a row of −∞, or one with a NaN, is all NaN.
    /// </summary>
    internal static void NonFiniteRow<T>(ref T x, ref T y, nuint cols, T max, bool log)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int infinities = 0;
        bool hasNaN = false;
        for (nuint j = 0; j < cols; j++)
        {
            T value = Unsafe.Add(ref x, j);
            hasNaN |= T.IsNaN(value);
            infinities += T.IsPositiveInfinity(value) ? 1 : 0;
        }

        if (hasNaN || !T.IsPositiveInfinity(max))
        {
            MemoryMarshal.CreateSpan(ref y, (int)cols).Fill(T.NaN);
            return;
        }

        T share = log ? -T.Log(T.CreateTruncating(infinities)) : T.One / T.CreateTruncating(infinities);
        T rest = log ? T.NegativeInfinity : T.Zero;
        for (nuint j = 0; j < cols; j++)
        {
            Unsafe.Add(ref y, j) = T.IsPositiveInfinity(Unsafe.Add(ref x, j)) ? share : rest;
        }
    }

    /// <summary>
    /// <c>Σ exp(x − max)</c> over a row of Count to 2·Count elements, with the exponentials of its two vectors (one at 0,
    /// one ending at the last element) left in registers: storing them and loading them back for the scale pass
    /// would stall on store forwarding where the two overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T ShortRowExpSum<T, TOps, TVec>(ref T x, T max, nuint cols, out TVec first, out TVec second)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        TVec shift = TOps.Create(max);
        first = VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in x), shift));
        second = VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in Unsafe.Add(ref x, cols - (nuint)TOps.Count)), shift));
        TVec newLanes = RowwiseDriver.SecondVectorNewLanes<T, TOps, TVec>(cols);
        return TOps.Sum(TOps.Add(first, TOps.Select(newLanes, second, TOps.Create(T.Zero))));
    }

    /// <summary>Stores <c>first·scale</c> at 0 and <c>second·scale</c> ending at the last element of the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreShortRow<T, TOps, TVec>(TVec first, TVec second, T scale, ref T y, nuint cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        TVec factor = TOps.Create(scale);
        TOps.Store(TOps.Multiply(first, factor), ref y);
        TOps.Store(TOps.Multiply(second, factor), ref Unsafe.Add(ref y, cols - (nuint)TOps.Count));
    }

    private static void CheckUnary<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y, string xName, string yName)
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(x.Length, rows, cols, xName);
        Guard.SameLength(y.Length, x.Length, yName, xName);
        Guard.NoPartialOverlap(x, y, xName, yName);
    }

    private static void CheckBinary<T>(
        ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx, string yName, string dyName, string dxName)
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(y.Length, rows, cols, yName);
        Guard.SameLength(dy.Length, y.Length, dyName, yName);
        Guard.SameLength(dx.Length, y.Length, dxName, yName);
        Guard.NoPartialOverlap(y, dx, yName, dxName);
        Guard.NoPartialOverlap(dy, dx, dyName, dxName);
    }

    /// <summary>Rows of a one-input kernel (<see cref="ForwardRow{T}"/>, <see cref="LogForwardRow{T}"/>), for <see cref="ShortRowDriver"/>.</summary>
    private readonly ref struct UnaryRows<TRow, T>(ReadOnlySpan<T> x, int cols, Span<T> y) : IRowRange
        where TRow : struct, IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<T> _x = x;
        private readonly Span<T> _y = y;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public double Run(int firstRow, int rowCount)
        {
            ReadOnlySpan<T> x = _x.Slice(firstRow * cols, rowCount * cols);
            return RowwiseDriver.Run(default(TRow), x, x, _y.Slice(firstRow * cols, rowCount * cols), rowCount, cols);
        }
    }

    /// <summary>Max pass, exp-and-sum pass storing exp(x − m), scale pass by 1/Σ.</summary>
    internal readonly struct ForwardRow<T> : IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T x, ref T b, ref T y, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            if (cols <= 2 * (nuint)TOps.Count)
            {
                return ShortRow<TOps, TVec>(ref x, ref y, cols);
            }

            T max = RowwiseDriver.Max<T, TOps, TVec>(ref x, cols);
            if (!T.IsFinite(max))
            {
                NonFiniteRow(ref x, ref y, cols, max, log: false);
                return 0;
            }

            T sum = RowwiseDriver.ExpSum<T, TOps, TVec>(ref x, max, ref y, cols);
            ElementwiseDriver.Run<Linear.ScaleOperator<T>, T, TOps, TVec>(new(T.One / sum), ref y, ref y, cols);
            return 0;
        }

        /// <summary>A row of Count to 2·Count elements, kept in two registers from load to store (the classifier case).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static double ShortRow<TOps, TVec>(ref T x, ref T y, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T max = RowwiseDriver.Max<T, TOps, TVec>(ref x, cols);
            if (!T.IsFinite(max))
            {
                NonFiniteRow(ref x, ref y, cols, max, log: false);
                return 0;
            }

            T sum = ShortRowExpSum<T, TOps, TVec>(ref x, max, cols, out TVec first, out TVec second);
            StoreShortRow<T, TOps, TVec>(first, second, T.One / sum, ref y, cols);
            return 0;
        }
    }

    /// <summary>Max pass, exp-and-sum pass (nothing stored), then y = (x − m) − log Σ.</summary>
    internal readonly struct LogForwardRow<T> : IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T x, ref T b, ref T y, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T max = RowwiseDriver.Max<T, TOps, TVec>(ref x, cols);
            if (!T.IsFinite(max))
            {
                NonFiniteRow(ref x, ref y, cols, max, log: true);
                return 0;
            }

            T logSum = T.Log(RowwiseDriver.ExpSum<T, TOps, TVec>(ref x, max, cols));
            ElementwiseDriver.Run<LogSoftmaxOperator<T>, T, TOps, TVec>(new(max, logSum), ref x, ref y, cols);
            return 0;
        }
    }

    /// <summary>d = ⟨dy, y⟩, then dx = y ⊙ (dy − d).</summary>
    internal readonly struct BackwardRow<T> : IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T y, ref T dy, ref T dx, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T dot = RowwiseDriver.Dot<T, TOps, TVec>(ref y, ref dy, cols);
            ElementwiseDriver.Run<SoftmaxBackwardOperator<T>, T, TOps, TVec>(new(dot), ref y, ref dy, ref dx, cols);
            return 0;
        }
    }

    /// <summary>s = Σ dy, then dx = dy − exp(y)·s.</summary>
    internal readonly struct LogBackwardRow<T> : IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T y, ref T dy, ref T dx, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T sum = RowwiseDriver.Sum<T, TOps, TVec>(ref dy, cols);
            ElementwiseDriver.Run<LogSoftmaxBackwardOperator<T>, T, TOps, TVec>(new(sum), ref y, ref dy, ref dx, cols);
            return 0;
        }
    }

    /// <summary>(x − m) − log Σ: subtracting m first keeps the difference exact where x is near m.</summary>
    internal readonly struct LogSoftmaxOperator<T>(T max, T logSum) : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Subtract(TOps.Subtract(x, TOps.Create(max)), TOps.Create(logSum));
    }

    /// <summary>y · (dy − ⟨dy, y⟩).</summary>
    internal readonly struct SoftmaxBackwardOperator<T>(T dot) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec y, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(y, TOps.Subtract(dy, TOps.Create(dot)));
    }

    /// <summary>dy − exp(y) · Σdy.</summary>
    internal readonly struct LogSoftmaxBackwardOperator<T>(T sum) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec y, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.MultiplyAdd(TOps.Negate(VectorMath.Exp<TOps, TVec, T>(y)), TOps.Create(sum), dy);
    }
}
