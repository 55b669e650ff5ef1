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
/// What a one-input kernel stores for a group of four rows from <c>x</c>: their maxima (row q's in 128-bit block q) and
/// exp(x − max) of each are given.
/// </summary>
internal unsafe interface IFourRowsOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    void Store(T* x, T* y, int cols, Vector512<T> inRow, Vector512<T> max, Vector512<T> ea, Vector512<T> eb, Vector512<T> ec, Vector512<T> ed);
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
/// The last (rows mod 4) rows and the rows of a group with a non-finite maximum (a +∞, a row of −∞, a NaN that the
/// native max kept) are run one by one, each copied into all four slots of a group, so every row with a finite
/// maximum gets the four-row arithmetic's bits alone, last, or beside a non-finite row: a row's result does not
/// depend on the batch. Only a row whose own maximum is not finite goes through <see cref="RowwiseDriver"/>'s row
/// operators, which handle every case.
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
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        SimdPathRow path = PathTable.Active;
        return path.ShortRowsByFour && cols > 0 && cols <= path.Lanes<T>();
    }

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
    /// sum of the rows' losses <c>m − x[label] + log Σ exp(x − m)</c> in double. The last (rows mod 4) rows and the
    /// rows of a group with a non-finite maximum take their losses from <paramref name="fallback"/> (see <see cref="PaddedCrossEntropy"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double CrossEntropy<T, TFallback>(
        ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, T scale, int rows, int cols, Span<T> gradient, TFallback fallback)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TFallback : IRowRange, allows ref struct
    {
        Vector512<T> inRow = InRow<T>(cols);
        Vector512<T> scales = Vector512.Create(scale);
        int fullRows = rows & ~3;
        double loss = 0;
        double sumProduct = 1;
        fixed (T* xStart = logits)
        fixed (T* gradientStart = gradient)
        fixed (int* labelStart = labels)
        {
            for (int row = 0; row < fullRows; row += 4)
            {
                T* xa = xStart + ((nint)row * cols);
                if (!ExpFour(xa, cols, inRow, out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed))
                {
                    loss += PaddedCrossEntropy(xStart, gradientStart, labelStart, scales, row, 4, cols, fallback);
                    continue;
                }

                Vector512<T> sum = ReduceFour(ea, eb, ec, ed, add: true);
                Vector512<T> factor = scales / sum;
                int* label = labelStart + row;
                loss += LabelTerms(max, sum, xa[label[0]], xa[cols + label[1]], xa[(2 * cols) + label[2]], xa[(3 * cols) + label[3]], ref sumProduct);
                if (sumProduct > SumProductLimit)
                {
                    loss += Math.Log(sumProduct);
                    sumProduct = 1;
                }

                T* ga = gradientStart + ((nint)row * cols);
                StoreRow(ga, inRow, (ea * BroadcastBlock(factor, 0)) - AtLabel(label[0], scales));
                StoreRow(ga + cols, inRow, (eb * BroadcastBlock(factor, 1)) - AtLabel(label[1], scales));
                StoreRow(ga + (2 * cols), inRow, (ec * BroadcastBlock(factor, 2)) - AtLabel(label[2], scales));
                StoreRow(ga + (3 * cols), inRow, (ed * BroadcastBlock(factor, 3)) - AtLabel(label[3], scales));
            }

            if (fullRows < rows)
            {
                loss += PaddedCrossEntropy(xStart, gradientStart, labelStart, scales, fullRows, rows - fullRows, cols, fallback);
            }
        }

        return loss + Math.Log(sumProduct);
    }

    /// <summary>
    /// Rows [row, row + count) that the loop cannot take four at a time (the last rows mod 4, or a group with a
    /// non-finite maximum): their losses and gradients from <paramref name="fallback"/>, then, for each finite row,
    /// the gradient again by the four-row arithmetic on a copy of the row in all four slots (<see cref="FillGroup"/>),
    /// so a row's gradient has the same bits alone, last, or beside a non-finite row as inside a full group. Their
    /// losses are summed row-wise: the loss is the batch's, not a row's.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double PaddedCrossEntropy<T, TFallback>(T* x, T* gradient, int* labels, Vector512<T> scales, int row, int count, int cols, TFallback fallback)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TFallback : IRowRange, allows ref struct
    {
        double loss = fallback.Run(row, count);
        Vector512<T> inRow = InRow<T>(cols);
        T* copies = stackalloc T[4 * Vector512<T>.Count];
        for (int single = row; single < row + count; single++)
        {
            FillGroup(x + ((nint)single * cols), cols, copies);
            if (ExpFour(copies, cols, inRow, out _, out Vector512<T> ea, out _, out _, out _))
            {
                Vector512<T> sum = ReduceFour(ea, ea, ea, ea, add: true);
                Vector512<T> factor = scales / sum;
                StoreRow(gradient + ((nint)single * cols), inRow, (ea * BroadcastBlock(factor, 0)) - AtLabel(labels[single], scales));
            }
        }

        return loss;
    }

    /// <summary>
    /// Rows [row, row + count) that the loop cannot take four at a time: each finite one by the four-row arithmetic
    /// on a copy of it in all four slots (<see cref="FillGroup"/>), the others through <paramref name="fallback"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PaddedUnary<T, TGroup, TFallback>(TGroup group, T* x, T* y, int row, int count, int cols, TFallback fallback)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TGroup : struct, IFourRowsOperator<T>
        where TFallback : IRowRange, allows ref struct
    {
        Vector512<T> inRow = InRow<T>(cols);
        T* copies = stackalloc T[4 * Vector512<T>.Count];
        T* results = stackalloc T[4 * Vector512<T>.Count];
        for (int single = row; single < row + count; single++)
        {
            FillGroup(x + ((nint)single * cols), cols, copies);
            if (ExpFour(copies, cols, inRow, out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed))
            {
                group.Store(copies, results, cols, inRow, max, ea, eb, ec, ed);
                new ReadOnlySpan<T>(results, cols).CopyTo(new Span<T>(y + ((nint)single * cols), cols));
            }
            else
            {
                fallback.Run(single, 1);
            }
        }
    }

    /// <summary>
    /// Copies one row into all four rows of <paramref name="group"/> (4 × <paramref name="cols"/> values): the group
    /// arithmetic on it gives that row's bits as inside any full group, since each row's reductions and exps use its
    /// own lanes only.
    /// </summary>
    private static void FillGroup<T>(T* row, int cols, T* group)
        where T : unmanaged
    {
        for (int q = 0; q < 4; q++)
        {
            new ReadOnlySpan<T>(row, cols).CopyTo(new Span<T>(group + (q * cols), cols));
        }
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
        int fullRows = rows & ~3;
        fixed (T* xStart = x)
        fixed (T* yStart = y)
        {
            for (int row = 0; row < fullRows; row += 4)
            {
                T* xa = xStart + ((nint)row * cols);
                if (!ExpFour(xa, cols, inRow, out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed))
                {
                    PaddedUnary(group, xStart, yStart, row, 4, cols, fallback);
                    continue;
                }

                group.Store(xa, yStart + ((nint)row * cols), cols, inRow, max, ea, eb, ec, ed);
            }

            if (fullRows < rows)
            {
                PaddedUnary(group, xStart, yStart, fullRows, rows - fullRows, cols, fallback);
            }
        }
    }

    /// <summary>Lanes below <paramref name="cols"/>.</summary>
    private static Vector512<T> InRow<T>(int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).As<int, T>()
            : Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)cols)).As<long, T>();

    /// <summary>
    /// The four rows from <paramref name="first"/>: their maxima (row q's in block q) and exp(x − max) of each, or
    /// false if a maximum is not finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ExpFour<T>(
        T* first, int cols, Vector512<T> inRow,
        out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> a = LoadRow(first, inRow);
        Vector512<T> b = LoadRow(first + cols, inRow);
        Vector512<T> c = LoadRow(first + (2 * cols), inRow);
        Vector512<T> d = LoadRow(first + (3 * cols), inRow);
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
        public void Store(T* x, T* y, int cols, Vector512<T> inRow, Vector512<T> max, Vector512<T> ea, Vector512<T> eb, Vector512<T> ec, Vector512<T> ed)
        {
            Vector512<T> factor = Vector512<T>.One / ReduceFour(ea, eb, ec, ed, add: true);
            StoreRow(y, inRow, ea * BroadcastBlock(factor, 0));
            StoreRow(y + cols, inRow, eb * BroadcastBlock(factor, 1));
            StoreRow(y + (2 * cols), inRow, ec * BroadcastBlock(factor, 2));
            StoreRow(y + (3 * cols), inRow, ed * BroadcastBlock(factor, 3));
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
        public void Store(T* x, T* y, int cols, Vector512<T> inRow, Vector512<T> max, Vector512<T> ea, Vector512<T> eb, Vector512<T> ec, Vector512<T> ed)
        {
            Vector512<T> logSum = VectorMath.Log1p<Vector512Ops<T>, Vector512<T>, T>(ReduceFour(ea, eb, ec, ed, add: true) - Vector512<T>.One);
            StoreRow(y, inRow, LogRow(x, inRow, max, logSum, 0));
            StoreRow(y + cols, inRow, LogRow(x + cols, inRow, max, logSum, 1));
            StoreRow(y + (2 * cols), inRow, LogRow(x + (2 * cols), inRow, max, logSum, 2));
            StoreRow(y + (3 * cols), inRow, LogRow(x + (3 * cols), inRow, max, logSum, 3));
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
    /// Σ over the four rows of <c>m − x[label]</c> in double; the product of their sums (each in [1, 16]) goes into
    /// <paramref name="sumProduct"/>, whose log is their <c>Σ log Σ</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LabelTerms<T>(Vector512<T> max, Vector512<T> sum, T labelA, T labelB, T labelC, T labelD, ref double sumProduct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int block = Vector128<T>.Count;
        sumProduct *= Widen(sum[0]) * Widen(sum[block]) * Widen(sum[2 * block]) * Widen(sum[3 * block]);
        double maxima = Widen(max[0]) + Widen(max[block]) + Widen(max[2 * block]) + Widen(max[3 * block]);
        return maxima - (Widen(labelA) + Widen(labelB) + Widen(labelC) + Widen(labelD));
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
