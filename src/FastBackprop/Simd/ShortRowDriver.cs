using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics.X86;

namespace FastBackprop.Simd;

/// <summary>Rows <c>[firstRow, firstRow + rowCount)</c> of a row-wise kernel, run by <see cref="RowwiseDriver"/>.</summary>
/// <remarks>
/// Implementations are NoInlining: the fallback runs rarely (a non-finite group, the last rows), and inlined it spent
/// the calling loop's inline budget under tiered PGO.
/// </remarks>
internal interface IRowRange
{
    /// <summary>Runs the rows and returns the sum of their contributions (losses), or 0.</summary>
    double Run(int firstRow, int rowCount);
}

/// <summary>
/// Four rows of one kernel call: slot q reads row <c>X[q]</c> and writes row <c>Y[q]</c>. A group of fewer real rows
/// fills its other slots with a copy of its last real row (same X) writing to scratch, so every real row is
/// computed by the same four-row arithmetic whatever its neighbours: a row's bits do not depend on the batch.
/// </summary>
internal unsafe struct RowGroup<T>
    where T : unmanaged
{
    public T* X0, X1, X2, X3;
    public T* Y0, Y1, Y2, Y3;

    /// <summary>Real rows in the group (1 to 4), in the first slots.</summary>
    public int Count;

    /// <summary>
    /// Rows [row, row + count) of the matrices at <paramref name="x"/> and <paramref name="y"/>, count in 1..4; the
    /// slots past count repeat the last real row's input and write to <paramref name="scratch"/>.
    /// </summary>
    public static RowGroup<T> Of(T* x, T* y, int cols, int row, int count, T* scratch)
    {
        T* Input(int q) => x + ((nint)(row + Math.Min(q, count - 1)) * cols);
        T* Output(int q) => q < count ? y + ((nint)(row + q) * cols) : scratch;
        return new RowGroup<T>
        {
            X0 = Input(0),
            X1 = Input(1),
            X2 = Input(2),
            X3 = Input(3),
            Y0 = Output(0),
            Y1 = Output(1),
            Y2 = Output(2),
            Y3 = Output(3),
            Count = count,
        };
    }
}

/// <summary>
/// What a one-input kernel stores for a group of four rows: their maxima (row q's in 128-bit block q) and
/// exp(x − max) of each are given.
/// </summary>
internal unsafe interface IFourRowsOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    void Store(in RowGroup<T> group, Vector512<T> inRow, Vector512<T> max, Vector512<T> ea, Vector512<T> eb, Vector512<T> ec, Vector512<T> ed);
}

/// <summary>
/// Softmax, log-softmax and softmax cross-entropy over rows that fit one <see cref="Vector512{T}"/> (≤ 16 floats,
/// ≤ 8 doubles: the classifier case) on AVX-512, four rows at a time.
/// </summary>
/// <remarks>
/// <para>
/// A row is one masked load with −∞ in the lanes past its end, so exp leaves +0 there and neither the maximum nor the
/// sum needs a mask; the result goes out through a masked store. Row at a time, the two reductions across a vector
/// (max, then sum) are each four dependent shuffle-and-combine steps, and they dominate a 10-column row.
/// </para>
/// <para>
/// Four rows a, b, c, d are reduced together instead: exchanging 256-bit halves between the pairs (a, b) and (c, d),
/// then 128-bit blocks between the two results, leaves one 128-bit block of partial results per row; two swaps within
/// the blocks finish it, so block q holds row q's result in every element. That is 13 operations for four rows where
/// one row alone takes 8, and the four rows' chains run interleaved.
/// </para>
/// <para>
/// The last (rows mod 4) rows form a group of their own, padded with copies of its last row (<see cref="RowGroup{T}"/>),
/// and a group with a non-finite maximum (a +∞, a row of −∞, a NaN that the native max kept) is run again row by row,
/// each padded the same way: so every row whose maximum is finite takes this arithmetic, alone or in any batch, and
/// only a row with a non-finite maximum goes through <see cref="RowwiseDriver"/>'s row operators, which handle every
/// case — alone or in any batch as well.
/// </para>
/// </remarks>
internal static unsafe class ShortRowDriver
{
    /// <summary>
    /// Where the running product of row sums is logged and restarted (≈ 2⁹⁹⁷): a group multiplies it by at most
    /// 16⁴ = 2¹⁶, so it stays finite; one log per ~60 groups instead of one per row.
    /// </summary>
    private const double SumProductLimit = 1e300;

    /// <summary>Whether rows of <paramref name="cols"/> run here.</summary>
    public static bool Applies<T>(int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Dispatch.Use512 && cols > 0 && cols <= Vector512<T>.Count;

    /// <summary>
    /// Row-wise softmax. A row with a non-finite maximum goes to <paramref name="fallback"/>.
    /// </summary>
    public static void Softmax<T, TFallback>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y, TFallback fallback)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TFallback : IRowRange, allows ref struct =>
        RunUnary(default(SoftmaxFour<T>), x, rows, cols, y, fallback);

    /// <summary>
    /// Row-wise log-softmax <c>(x − m) − log Σ</c>, the four rows' logs at once as log1p(Σ − 1) (Σ in [1, 16], so
    /// Σ − 1 is exact). A row with a non-finite maximum goes to <paramref name="fallback"/>.
    /// </summary>
    public static void LogSoftmax<T, TFallback>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y, TFallback fallback)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TFallback : IRowRange, allows ref struct =>
        RunUnary(default(LogSoftmaxFour<T>), x, rows, cols, y, fallback);

    /// <summary>
    /// Softmax cross-entropy with labels: <c>gradient = scale · (softmax(x) − onehot(label))</c> row by row, and the
    /// sum of the rows' losses <c>m − x[label] + log Σ exp(x − m)</c> in double. A row with a non-finite maximum goes to
    /// <paramref name="fallback"/>, which returns its loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double CrossEntropy<T, TFallback>(
        ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, T scale, int rows, int cols, Span<T> gradient, TFallback fallback)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TFallback : IRowRange, allows ref struct
    {
        Vector512<T> inRow = InRow<T>(cols);
        Vector512<T> scales = Vector512.Create(scale);
        T* scratch = stackalloc T[Vector512<T>.Count];
        double loss = 0;
        double sumProduct = 1;
        fixed (T* xStart = logits)
        fixed (T* gradientStart = gradient)
        fixed (int* labelStart = labels)
        {
            for (int row = 0; row < rows; row += 4)
            {
                int count = Math.Min(4, rows - row);
                var group = RowGroup<T>.Of(xStart, gradientStart, cols, row, count, scratch);
                if (!CrossEntropyGroup(group, labelStart + row, inRow, scales, ref loss, ref sumProduct))
                {
                    for (int single = row; single < row + count; single++)
                    {
                        var alone = RowGroup<T>.Of(xStart, gradientStart, cols, single, 1, scratch);
                        if (!CrossEntropyGroup(alone, labelStart + single, inRow, scales, ref loss, ref sumProduct))
                        {
                            loss += fallback.Run(single, 1);
                        }
                    }
                }

                if (sumProduct > SumProductLimit)
                {
                    loss += Math.Log(sumProduct);
                    sumProduct = 1;
                }
            }
        }

        return loss + Math.Log(sumProduct);
    }

    /// <summary>
    /// One group of the cross-entropy: the real rows' gradients stored and their loss terms added, or false (nothing
    /// written) when a maximum is not finite. Labels are read for the real rows only (a padded slot repeats the last).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool CrossEntropyGroup<T>(in RowGroup<T> group, int* label, Vector512<T> inRow, Vector512<T> scales, ref double loss, ref double sumProduct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!ExpFour(group, inRow, out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed))
        {
            return false;
        }

        int last = group.Count - 1;
        int la = label[0], lb = label[Math.Min(1, last)], lc = label[Math.Min(2, last)], ld = label[Math.Min(3, last)];
        Vector512<T> sum = ReduceFour(ea, eb, ec, ed, add: true);
        Vector512<T> factor = scales / sum;
        loss += LabelTerms(max, sum, group.X0[la], group.X1[lb], group.X2[lc], group.X3[ld], group.Count, ref sumProduct);
        StoreRow(group.Y0, inRow, (ea * BroadcastBlock(factor, 0)) - AtLabel(la, scales));
        StoreRow(group.Y1, inRow, (eb * BroadcastBlock(factor, 1)) - AtLabel(lb, scales));
        StoreRow(group.Y2, inRow, (ec * BroadcastBlock(factor, 2)) - AtLabel(lc, scales));
        StoreRow(group.Y3, inRow, (ed * BroadcastBlock(factor, 3)) - AtLabel(ld, scales));
        return true;
    }

    /// <summary>The loop of the one-input kernels: groups of four rows through <paramref name="group"/>, the rest through <paramref name="fallback"/>.</summary>
    /// <remarks>
    /// Out of line, as <see cref="CrossEntropy"/>: under tiered PGO its caller inlined it, and the four exps then ran
    /// past the caller's inline budget (softmax at 10 columns 20 → 55 µs for 4096 rows).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunUnary<T, TGroup, TFallback>(TGroup group, ReadOnlySpan<T> x, int rows, int cols, Span<T> y, TFallback fallback)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TGroup : struct, IFourRowsOperator<T>
        where TFallback : IRowRange, allows ref struct
    {
        Vector512<T> inRow = InRow<T>(cols);
        T* scratch = stackalloc T[Vector512<T>.Count];
        fixed (T* xStart = x)
        fixed (T* yStart = y)
        {
            for (int row = 0; row < rows; row += 4)
            {
                int count = Math.Min(4, rows - row);
                if (!UnaryGroup(group, RowGroup<T>.Of(xStart, yStart, cols, row, count, scratch), inRow))
                {
                    for (int single = row; single < row + count; single++)
                    {
                        if (!UnaryGroup(group, RowGroup<T>.Of(xStart, yStart, cols, single, 1, scratch), inRow))
                        {
                            fallback.Run(single, 1);
                        }
                    }
                }
            }
        }
    }

    /// <summary>One group of a one-input kernel, or false (nothing written) when a maximum is not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UnaryGroup<T, TGroup>(TGroup group, in RowGroup<T> rows, Vector512<T> inRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TGroup : struct, IFourRowsOperator<T>
    {
        if (!ExpFour(rows, inRow, out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed))
        {
            return false;
        }

        group.Store(rows, inRow, max, ea, eb, ec, ed);
        return true;
    }

    /// <summary>Lanes below <paramref name="cols"/>.</summary>
    private static Vector512<T> InRow<T>(int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).As<int, T>()
            : Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)cols)).As<long, T>();

    /// <summary>
    /// The group's four rows: their maxima (row q's in block q) and exp(x − max) of each, or false if a maximum is
    /// not finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ExpFour<T>(
        in RowGroup<T> group, Vector512<T> inRow,
        out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> a = LoadRow(group.X0, inRow);
        Vector512<T> b = LoadRow(group.X1, inRow);
        Vector512<T> c = LoadRow(group.X2, inRow);
        Vector512<T> d = LoadRow(group.X3, inRow);
        max = ReduceFour(a, b, c, d, add: false);
        bool finite = Vector512.EqualsAll(max - max, Vector512<T>.Zero);
        ea = ExpMinus(a, BroadcastBlock(max, 0));
        eb = ExpMinus(b, BroadcastBlock(max, 1));
        ec = ExpMinus(c, BroadcastBlock(max, 2));
        ed = ExpMinus(d, BroadcastBlock(max, 3));
        return finite;
    }

    /// <summary>Softmax of a group: exp(x − m) / Σ.</summary>
    private readonly struct SoftmaxFour<T> : IFourRowsOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(in RowGroup<T> group, Vector512<T> inRow, Vector512<T> max, Vector512<T> ea, Vector512<T> eb, Vector512<T> ec, Vector512<T> ed)
        {
            Vector512<T> factor = Vector512<T>.One / ReduceFour(ea, eb, ec, ed, add: true);
            StoreRow(group.Y0, inRow, ea * BroadcastBlock(factor, 0));
            StoreRow(group.Y1, inRow, eb * BroadcastBlock(factor, 1));
            StoreRow(group.Y2, inRow, ec * BroadcastBlock(factor, 2));
            StoreRow(group.Y3, inRow, ed * BroadcastBlock(factor, 3));
        }
    }

    /// <summary>
    /// Log-softmax of a group. Out of line (one call per four rows): inlined beside the four exps, log1p pushed the
    /// loop past the JIT's inline budget and the loads, shuffles and stores stayed calls.
    /// </summary>
    private readonly struct LogSoftmaxFour<T> : IFourRowsOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Store(in RowGroup<T> group, Vector512<T> inRow, Vector512<T> max, Vector512<T> ea, Vector512<T> eb, Vector512<T> ec, Vector512<T> ed)
        {
            // A padded slot re-reads its input after a real row may have been written in place: it only fills scratch.
            Vector512<T> logSum = VectorMath.Log1p<Vector512Ops<T>, Vector512<T>, T>(ReduceFour(ea, eb, ec, ed, add: true) - Vector512<T>.One);
            StoreRow(group.Y0, inRow, LogRow(group.X0, inRow, max, logSum, 0));
            StoreRow(group.Y1, inRow, LogRow(group.X1, inRow, max, logSum, 1));
            StoreRow(group.Y2, inRow, LogRow(group.X2, inRow, max, logSum, 2));
            StoreRow(group.Y3, inRow, LogRow(group.X3, inRow, max, logSum, 3));
        }
    }

    /// <summary>
    /// Row q of a group, <c>(x − m) − log Σ</c>: subtracting m first keeps the difference exact near the maximum. The
    /// row is loaded again (from L1) rather than kept live across the group's exps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> LogRow<T>(T* row, Vector512<T> inRow, Vector512<T> max, Vector512<T> logSum, [ConstantExpected(Min = 0, Max = 3)] byte q)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        (LoadRow(row, inRow) - BroadcastBlock(max, q)) - BroadcastBlock(logSum, q);

    /// <summary>The row's elements, −∞ in the lanes past its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> LoadRow<T>(T* row, Vector512<T> inRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Avx512F.MaskLoad((float*)row, inRow.AsSingle(), Vector512.Create(float.NegativeInfinity)).As<float, T>();
        }

        return Avx512F.MaskLoad((double*)row, inRow.AsDouble(), Vector512.Create(double.NegativeInfinity)).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T>(T* row, Vector512<T> inRow, Vector512<T> value)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Avx512F.MaskStore((float*)row, inRow.AsSingle(), value.AsSingle());
        }
        else
        {
            Avx512F.MaskStore((double*)row, inRow.AsDouble(), value.AsDouble());
        }
    }

    /// <summary>exp(x − max): x − max ≤ 0 (or NaN, or −∞ past the row's end, whose exp is +0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> ExpMinus<T>(Vector512<T> x, Vector512<T> max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        VectorMath.ExpOfNonPositive<Vector512Ops<T>, Vector512<T>, T>(x - max);

    /// <summary><paramref name="scales"/> in the label's lane, 0 elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> AtLabel<T>(int label, Vector512<T> scales)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector512.Equals(Vector512<int>.Indices, Vector512.Create(label)).As<int, T>() & scales
            : Vector512.Equals(Vector512<long>.Indices, Vector512.Create((long)label)).As<long, T>() & scales;

    /// <summary>
    /// Σ over the group's first <paramref name="count"/> (real) rows of <c>m − x[label]</c> in double; the product of
    /// their sums (each in [1, 16]) goes into <paramref name="sumProduct"/>, whose log is their <c>Σ log Σ</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LabelTerms<T>(Vector512<T> max, Vector512<T> sum, T labelA, T labelB, T labelC, T labelD, int count, ref double sumProduct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int block = Vector128<T>.Count;
        if (count == 4)
        {
            sumProduct *= Widen(sum[0]) * Widen(sum[block]) * Widen(sum[2 * block]) * Widen(sum[3 * block]);
            double maxima = Widen(max[0]) + Widen(max[block]) + Widen(max[2 * block]) + Widen(max[3 * block]);
            return maxima - (Widen(labelA) + Widen(labelB) + Widen(labelC) + Widen(labelD));
        }

        ReadOnlySpan<T> labelValues = [labelA, labelB, labelC];
        double terms = 0;
        for (int q = 0; q < count; q++)
        {
            sumProduct *= Widen(sum[q * block]);
            terms += Widen(max[q * block]) - Widen(labelValues[q]);
        }

        return terms;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Widen<T>(T value)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref value) : Unsafe.As<T, double>(ref value);

    /// <summary>
    /// Max (or sum) of each of <paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/>, <paramref name="d"/>:
    /// row q's in every element of 128-bit block q.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> ReduceFour<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c, Vector512<T> d, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Blocks [a₀ a₁ b₀ b₁] with [a₂ a₃ b₂ b₃]: the low half holds a's partial results, the high half b's.
        Vector512<T> ab = Combine(Blocks(a, b, 0b01_00_01_00), Blocks(a, b, 0b11_10_11_10), add);
        Vector512<T> cd = Combine(Blocks(c, d, 0b01_00_01_00), Blocks(c, d, 0b11_10_11_10), add);

        // Blocks [ab₀ ab₂ cd₀ cd₂] with [ab₁ ab₃ cd₁ cd₃]: block q now holds row q's partial results.
        Vector512<T> rows = Combine(Blocks(ab, cd, 0b10_00_10_00), Blocks(ab, cd, 0b11_01_11_01), add);
        if (typeof(T) == typeof(float))
        {
            Vector512<float> partial = rows.AsSingle();
            partial = Combine(partial, Avx512F.Shuffle(partial, partial, 0b01_00_11_10), add);
            return Combine(partial, Avx512F.Shuffle(partial, partial, 0b10_11_00_01), add).As<float, T>();
        }

        Vector512<double> pairs = rows.AsDouble();
        return Combine(pairs, Avx512F.Shuffle(pairs, pairs, 0b01_01_01_01), add).As<double, T>();
    }

    /// <summary>Block q of <paramref name="value"/> in all four blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> BroadcastBlock<T>(Vector512<T> value, [ConstantExpected(Min = 0, Max = 3)] byte q)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => q switch
        {
            0 => Blocks(value, value, 0b00_00_00_00),
            1 => Blocks(value, value, 0b01_01_01_01),
            2 => Blocks(value, value, 0b10_10_10_10),
            _ => Blocks(value, value, 0b11_11_11_11),
        };

    /// <summary>vshuff32x4: blocks <c>[left[i₀] left[i₁] right[i₂] right[i₃]]</c> for <c>selector = i₀ | i₁ ≪ 2 | i₂ ≪ 4 | i₃ ≪ 6</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Blocks<T>(Vector512<T> left, Vector512<T> right, [ConstantExpected] byte selector)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Avx512F.Shuffle4x128(left.AsSingle(), right.AsSingle(), selector).As<float, T>();
        }

        return Avx512F.Shuffle4x128(left.AsDouble(), right.AsDouble(), selector).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Combine<T>(Vector512<T> left, Vector512<T> right, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        add ? left + right : Vector512.MaxNative(left, right);
}
