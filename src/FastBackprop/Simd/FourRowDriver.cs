using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics.X86;

namespace FastBackprop.Simd;

/// <summary>
/// Kernels on softmax statistics (<see cref="ISoftmaxRowOperator{T}"/>: softmax, log-softmax, softmax cross-entropy)
/// over rows that fit one <see cref="Vector512{T}"/> (≤ 16 floats, ≤ 8 doubles: the classifier case) on AVX-512, four
/// rows at a time.
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
/// one row alone takes 8, and the four rows' chains run interleaved. The operator's factor is computed once for the
/// group from that vector of sums, and each row's output from its own block of it.
/// </para>
/// <para>
/// The last (rows mod 4) rows and the rows of a group with a non-finite maximum (a +∞, a row of −∞, a NaN that the
/// native max kept) are run one by one, each copied into all four slots of a group, so every row with a finite
/// maximum gets the four-row arithmetic's bits alone, last, or beside a non-finite row: a row's result does not
/// depend on the batch. A row whose own maximum is not finite goes to the operator's
/// <see cref="ISoftmaxRowOperator{T}.NonFiniteRow"/>.
/// </para>
/// <para>
/// Hot-loop rule: everything <see cref="Run"/> inlines (four exps, two joint reductions, the operator's factor and four
/// outputs) must fit the JIT's limit of locals for one method, past which every later call stays a call. So the
/// kernels' differences are tested as types (<see cref="ISoftmaxRowOperator{T}"/>), and the exps' constants are made
/// without generic conversions (<see cref="VectorMath.Constant"/>).
/// </para>
/// </remarks>
internal static unsafe class FourRowDriver
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
        ref readonly SimdPathRow path = ref PathTable.Active;
        return path.ShortRowsByFour && cols > 0 && cols <= path.Lanes<T>();
    }

    /// <summary>
    /// Runs <paramref name="op"/> over every row and returns the sum of the rows' losses in double (0 without labels):
    /// <c>m − x[label]</c> per row, plus the rows' <c>Σ log Σ</c> as the log of a running product of their sums.
    /// </summary>
    /// <remarks>
    /// Out of line: under tiered PGO its caller inlined it, and the four exps then ran past the caller's inline budget
    /// (softmax at 10 columns 20 → 55 µs for 4096 rows).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double Run<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> y, int rows, int cols)
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> inRow = InRow<T>(cols);
        int fullRows = rows & ~3;
        double loss = 0;
        double sumProduct = 1;
        fixed (T* xStart = x)
        fixed (T* yStart = y)
        {
            for (int row = 0; row < fullRows; row += 4)
            {
                T* xa = xStart + ((nint)row * cols);
                if (!ExpFour(xa, cols, inRow, out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed))
                {
                    loss += Padded(op, xStart, yStart, row, 4, cols);
                    continue;
                }

                Vector512<T> sum = ReduceFour(ea, eb, ec, ed, add: true);
                if (typeof(TOp).IsAssignableTo(typeof(ILabelledRows)))
                {
                    // Before the stores: y may be x itself.
                    loss += LossesWithoutLogSum(op, xa, cols, row, max);
                    sumProduct *= ProductOfSums(sum);
                    if (sumProduct > SumProductLimit)
                    {
                        loss += Math.Log(sumProduct);
                        sumProduct = 1;
                    }
                }

                StoreFour(op, xa, yStart + ((nint)row * cols), cols, inRow, row, 1, max, sum, ea, eb, ec, ed);
            }

            if (fullRows < rows)
            {
                loss += Padded(op, xStart, yStart, fullRows, rows - fullRows, cols);
            }
        }

        return loss + Math.Log(sumProduct);
    }

    /// <summary>
    /// Rows [row, row + count) that the loop cannot take four at a time (the last rows mod 4, or a group with a
    /// non-finite maximum): each finite one by the four-row arithmetic on a copy of it in all four slots
    /// (<see cref="FillGroup"/>), its loss with its own log Σ; the others by the operator's
    /// <see cref="ISoftmaxRowOperator{T}.NonFiniteRow"/>. Returns their losses.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Padded<TOp, T>(TOp op, T* x, T* y, int row, int count, int cols)
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> inRow = InRow<T>(cols);
        T* copies = stackalloc T[4 * Vector512<T>.Count];
        T* results = stackalloc T[4 * Vector512<T>.Count];
        double loss = 0;
        for (int single = row; single < row + count; single++)
        {
            T* xSingle = x + ((nint)single * cols);
            T* ySingle = y + ((nint)single * cols);
            FillGroup(xSingle, cols, copies);
            if (ExpFour(copies, cols, inRow, out Vector512<T> max, out Vector512<T> ea, out Vector512<T> eb, out Vector512<T> ec, out Vector512<T> ed))
            {
                Vector512<T> sum = ReduceFour(ea, eb, ec, ed, add: true);
                StoreFour(op, copies, results, cols, inRow, single, 0, max, sum, ea, eb, ec, ed);
                new ReadOnlySpan<T>(results, cols).CopyTo(new Span<T>(ySingle, cols));
                loss += typeof(TOp).IsAssignableTo(typeof(ILabelledRows)) ? op.LossWithoutLogSum(single, ref *copies, max[0]) + Math.Log(ScalarOps<T>.Widen(sum[0])) : 0;
            }
            else
            {
                loss += op.NonFiniteRow(single, ref *xSingle, ref *ySingle, (nuint)cols, max[0]);
            }
        }

        return loss;
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

    /// <summary>
    /// Stores the group's four rows from <paramref name="x"/> to <paramref name="y"/>: the operator's factor of their
    /// sums at once, then each row's output from its own block of the maxima and factors. Slot q holds row
    /// <c>row + q·rowStep</c>, whose label it takes: a real group steps by 1, four copies of one row by 0 (so no label
    /// past the batch is read).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFour<TOp, T>(
        TOp op, T* x, T* y, int cols, Vector512<T> inRow, int row, int rowStep,
        Vector512<T> max, Vector512<T> sum, Vector512<T> ea, Vector512<T> eb, Vector512<T> ec, Vector512<T> ed)
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> factor = op.Factor<Vector512Ops<T>, Vector512<T>>(sum);
        StoreRow(y, inRow, Output(op, x, inRow, ea, max, factor, row, 0));
        StoreRow(y + cols, inRow, Output(op, x + cols, inRow, eb, max, factor, row + rowStep, 1));
        StoreRow(y + (2 * cols), inRow, Output(op, x + (2 * cols), inRow, ec, max, factor, row + (2 * rowStep), 2));
        StoreRow(y + (3 * cols), inRow, Output(op, x + (3 * cols), inRow, ed, max, factor, row + (3 * rowStep), 3));
    }

    /// <summary>
    /// Row q of a group: the operator's output from its e (or from x, loaded again from L1 rather than kept live across
    /// the group's exps), with the label's lane through <see cref="ISoftmaxRowOperator{T}.AtLabel"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Output<TOp, T>(
        TOp op, T* x, Vector512<T> inRow, Vector512<T> e, Vector512<T> max, Vector512<T> factor, int row, [ConstantExpected(Min = 0, Max = 3)] byte q)
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Vector512<T> output = op.Invoke<Vector512Ops<T>, Vector512<T>>(typeof(TOp).IsAssignableTo(typeof(IFromLogits)) ? LoadRow(x, inRow) : e, BroadcastBlock(max, q), BroadcastBlock(factor, q));
        return typeof(TOp).IsAssignableTo(typeof(ILabelledRows))
            ? Vector512.ConditionalSelect(LabelLane<T>(op.Label(row)), op.AtLabel<Vector512Ops<T>, Vector512<T>>(output), output)
            : output;
    }

    /// <summary><see cref="ISoftmaxRowOperator{T}.LossWithoutLogSum"/> of the group's four rows, each with its own maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LossesWithoutLogSum<TOp, T>(TOp op, T* x, int cols, int row, Vector512<T> max)
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        op.LossWithoutLogSum(row, ref *x, max[0])
        + op.LossWithoutLogSum(row + 1, ref x[cols], max[Vector128<T>.Count])
        + op.LossWithoutLogSum(row + 2, ref x[2 * cols], max[2 * Vector128<T>.Count])
        + op.LossWithoutLogSum(row + 3, ref x[3 * cols], max[3 * Vector128<T>.Count]);

    /// <summary>The product of the group's four row sums (row q's in block q), each in [1, 16], in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ProductOfSums<T>(Vector512<T> sum)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ScalarOps<T>.Widen(sum[0]) * ScalarOps<T>.Widen(sum[Vector128<T>.Count])
        * ScalarOps<T>.Widen(sum[2 * Vector128<T>.Count]) * ScalarOps<T>.Widen(sum[3 * Vector128<T>.Count]);

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
        ea = ExpMinus(a, BroadcastBlock(max, 0), inRow);
        eb = ExpMinus(b, BroadcastBlock(max, 1), inRow);
        ec = ExpMinus(c, BroadcastBlock(max, 2), inRow);
        ed = ExpMinus(d, BroadcastBlock(max, 3), inRow);
        return finite;
    }

    /// <summary>Lanes below <paramref name="cols"/>.</summary>
    private static Vector512<T> InRow<T>(int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).As<int, T>()
            : Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)cols)).As<long, T>();

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

    /// <summary>
    /// exp(x − max) in the row's lanes (x − max ≤ 0, or NaN), +0 past its end. The lanes past the end take exp(0)
    /// and are cleared after it: exp(−∞) would run the clamped argument's underflow into subnormals, and Intel cores
    /// take a microcode assist on every vector operation with a subnormal result — rows of 3 and 10 floats ran
    /// ≈ 100 ns a row on a Xeon (AVX-512) against 8 ns for rows of 16, which fill the vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> ExpMinus<T>(Vector512<T> x, Vector512<T> max, Vector512<T> inRow)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        VectorMath.ExpOfNonPositive<Vector512Ops<T>, Vector512<T>, T>((x - max) & inRow) & inRow;

    /// <summary>The mask of lane <paramref name="label"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> LabelLane<T>(int label)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? Vector512.Equals(Vector512<int>.Indices, Vector512.Create(label)).As<int, T>()
            : Vector512.Equals(Vector512<long>.Indices, Vector512.Create((long)label)).As<long, T>();

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

    /// <summary>Block q of <paramref name="value"/> in all four blocks: selector q·0b01_01_01_01.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> BroadcastBlock<T>(Vector512<T> value, [ConstantExpected(Min = 0, Max = 3)] byte q)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // One expression rather than a switch over q: the JIT charges a method's whole IL to the caller's inline budget,
        // and q is a constant at every call site, so the selector folds to the instruction's immediate.
#pragma warning disable CA1857
        return Blocks(value, value, (byte)(q * 0b01_01_01_01));
#pragma warning restore CA1857
    }

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
