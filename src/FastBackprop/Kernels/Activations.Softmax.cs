using System.Diagnostics;

using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Row-wise softmax: <c>y[r, j] = exp(x[r, j] − mᵣ) / Σₖ exp(x[r, k] − mᵣ)</c>, <c>mᵣ = maxₖ x[r, k]</c>.</summary>
    /// <remarks>
    /// <para>
    /// Subtracting the row maximum m first means no finite logit overflows: logits 1000 and −1000 in one row give
    /// probabilities 1 and 0. The sum runs in the element type (float or double), in vector lanes, and each probability
    /// is <c>exp(x − m) · (1/Σ)</c>.
    /// </para>
    /// <para>
    /// Non-finite logits (values are never validated, nothing throws on them): a −∞ logit in a row with a finite
    /// maximum gives probability exactly 0, which is how a mask is applied. +∞ logits are the limit of equal large
    /// logits: the k entries at +∞ share the row equally (1/k each) and every other entry gets 0. A row whose logits
    /// are all −∞ has no distribution and gives NaN everywhere, as does any row that contains a NaN.
    /// </para>
    /// </remarks>
    /// <param name="x">Logits, <c>[rows × cols]</c> row-major.</param>
    /// <param name="rows">Number of rows (samples).</param>
    /// <param name="cols">Row length (classes).</param>
    /// <param name="y">Probabilities, <c>[rows × cols]</c>; may be <paramref name="x"/> itself, must not partially overlap it.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> or <paramref name="cols"/> is negative, <c>rows × cols</c> is not the length of
    /// <paramref name="x"/>, <paramref name="y"/> has another length, or <paramref name="y"/> partially overlaps <paramref name="x"/>.
    /// </exception>
    public static void Softmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckRows(x, rows, cols, y, nameof(x), nameof(y));
        RowwiseDriver.RunSoftmax(default(SoftmaxOperator<T>), x, y, rows, cols);
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
    public static void SoftmaxBackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckRows(y, dy, rows, cols, dx, nameof(y), nameof(dy), nameof(dx));
        RowwiseDriver.Run(default(SoftmaxBackwardFromOutputRow<T>), y, dy, dx, rows, cols);
    }

    /// <summary>Row-wise log-softmax: <c>y[r, j] = (x[r, j] − mᵣ) − log Σₖ exp(x[r, k] − mᵣ)</c>, <c>mᵣ = maxₖ x[r, k]</c>.</summary>
    /// <remarks>
    /// <para>
    /// Logits 1000 and −1000 in one row give log-probabilities 0 and −2000. <c>log Σ</c> is computed as
    /// <c>log1p(Σ − 1)</c> in the element type: Σ ≥ 1 (the maximum contributes exp 0 = 1), and Σ − 1 is exact.
    /// </para>
    /// <para>
    /// Non-finite logits follow <see cref="Softmax{T}"/>: a −∞ logit in a row with a finite maximum gives −∞; the k
    /// entries at +∞ get −log k and the others −∞; a row of −∞, or one with a NaN, gives NaN everywhere.
    /// </para>
    /// </remarks>
    /// <param name="x">Logits, <c>[rows × cols]</c> row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <param name="y">Log-probabilities, <c>[rows × cols]</c>; may be <paramref name="x"/> itself, must not partially overlap it.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> or <paramref name="cols"/> is negative, <c>rows × cols</c> is not the length of
    /// <paramref name="x"/>, <paramref name="y"/> has another length, or <paramref name="y"/> partially overlaps <paramref name="x"/>.
    /// </exception>
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckRows(x, rows, cols, y, nameof(x), nameof(y));
        RowwiseDriver.RunSoftmax(default(LogSoftmaxOperator<T>), x, y, rows, cols);
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
    public static void LogSoftmaxBackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckRows(y, dy, rows, cols, dx, nameof(y), nameof(dy), nameof(dx));
        RowwiseDriver.Run(default(LogSoftmaxBackwardFromOutputRow<T>), y, dy, dx, rows, cols);
    }

    /// <summary>
    /// Softmax (or log-softmax) of a row whose maximum <paramref name="max"/> is not finite, element by element: +∞
    /// entries share the row (1/k, or −log k), everything else is 0 (−∞); a row of −∞, or one with a NaN, is all NaN.
    /// <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </summary>
    internal static void SoftmaxOfNonFiniteRow<T>(ref T x, ref T y, nuint cols, T max, bool log)
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

    private static void CheckRows<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y, string xName, string yName)
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(x.Length, rows, cols, xName);
        Guard.SameLength(y.Length, x.Length, yName, xName);
        Guard.NoPartialOverlap(x, y, xName, yName);
    }

    private static void CheckRows<T>(
        ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx, string yName, string dyName, string dxName)
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(y.Length, rows, cols, yName);
        Guard.SameLength(dy.Length, y.Length, dyName, yName);
        Guard.SameLength(dx.Length, y.Length, dxName, yName);
        Guard.NoPartialOverlap(y, dx, yName, dxName);
        Guard.NoPartialOverlap(dy, dx, dyName, dxName);
    }

    /// <summary>y = e · (1/Σ).</summary>
    internal readonly struct SoftmaxOperator<T> : ISoftmaxRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Not ILabelledRows: the drivers never call Label, AtLabel or LossWithoutLogSum.
        public int Label(int row) => throw new UnreachableException();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Factor<TOps, TVec>(TVec sum)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Divide(TOps.Create(T.One), sum);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec e, TVec max, TVec reciprocalSum)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(e, reciprocalSum);

        public TVec AtLabel<TOps, TVec>(TVec output)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => throw new UnreachableException();

        public double LossWithoutLogSum(int row, ref T x, T max) => throw new UnreachableException();

        /// <remarks>Out of line, as every operator's: the row is rare, and its loops would only spend the row loop's inline budget.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public double NonFiniteRow(int row, ref T x, ref T destination, nuint cols, T max)
        {
            SoftmaxOfNonFiniteRow(ref x, ref destination, cols, max, log: false);
            return 0;
        }
    }

    /// <summary>
    /// y = (x − m) − log Σ with log Σ = log1p(Σ − 1): subtracting m first keeps the difference exact where x is near m,
    /// and Σ − 1 is exact for Σ ≥ 1 (below 2²⁴ in float, 2⁵³ in double).
    /// </summary>
    internal readonly struct LogSoftmaxOperator<T> : ISoftmaxRowOperator<T>, IFromLogits
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Not ILabelledRows: the drivers never call Label, AtLabel or LossWithoutLogSum.
        public int Label(int row) => throw new UnreachableException();

        /// <remarks>
        /// Out of line (one call per row, or per group of four): inlined beside the four-row driver's four exps, log1p
        /// pushed the loop past the JIT's inline budget and the loads, shuffles and stores stayed calls.
        /// </remarks>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public TVec Factor<TOps, TVec>(TVec sum)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => VectorMath.Log1p<TOps, TVec, T>(TOps.Subtract(sum, TOps.Create(T.One)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec max, TVec logSum)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Subtract(TOps.Subtract(x, max), logSum);

        public TVec AtLabel<TOps, TVec>(TVec output)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => throw new UnreachableException();

        public double LossWithoutLogSum(int row, ref T x, T max) => throw new UnreachableException();

        [MethodImpl(MethodImplOptions.NoInlining)]
        public double NonFiniteRow(int row, ref T x, ref T destination, nuint cols, T max)
        {
            SoftmaxOfNonFiniteRow(ref x, ref destination, cols, max, log: true);
            return 0;
        }
    }

    /// <summary>d = ⟨dy, y⟩, then dx = y ⊙ (dy − d).</summary>
    internal readonly struct SoftmaxBackwardFromOutputRow<T> : IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T y, ref T dy, ref T dx, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T dot = RowwiseDriver.Dot<T, TOps, TVec>(ref y, ref dy, cols);
            ElementwiseDriver.Run<SoftmaxBackwardFromOutputOperator<T>, T, TOps, TVec>(new(dot), ref y, ref dy, ref dx, cols);
            return 0;
        }
    }

    /// <summary>s = Σ dy, then dx = dy − exp(y)·s.</summary>
    internal readonly struct LogSoftmaxBackwardFromOutputRow<T> : IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T y, ref T dy, ref T dx, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T sum = RowwiseDriver.Sum<T, TOps, TVec>(ref dy, cols);
            ElementwiseDriver.Run<LogSoftmaxBackwardFromOutputOperator<T>, T, TOps, TVec>(new(sum), ref y, ref dy, ref dx, cols);
            return 0;
        }
    }

    /// <summary>y · (dy − ⟨dy, y⟩).</summary>
    internal readonly struct SoftmaxBackwardFromOutputOperator<T>(T dot) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec y, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(y, TOps.Subtract(dy, TOps.Create(dot)));
    }

    /// <summary>dy − exp(y) · Σdy.</summary>
    internal readonly struct LogSoftmaxBackwardFromOutputOperator<T>(T sum) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec y, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.MultiplyAdd(TOps.Negate(VectorMath.Exp<TOps, TVec, T>(y)), TOps.Create(sum), dy);
    }
}
