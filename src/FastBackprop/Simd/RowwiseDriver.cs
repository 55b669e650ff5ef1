namespace FastBackprop.Simd;

/// <summary>
/// One pass of a row-wise kernel over one row of a row-major matrix, at one width. A row operator composes the
/// passes of <see cref="RowwiseDriver"/> (max, exp-and-sum, dot, element-wise map) for one row and returns that
/// row's contribution to a scalar (a loss), or 0.
/// </summary>
internal interface IRowOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// Processes row <paramref name="row"/>: <paramref name="a"/>, <paramref name="b"/> and
    /// <paramref name="destination"/> point at its first element; <c>cols ≥ TOps.Count</c>.
    /// </summary>
    double Invoke<TOps, TVec>(int row, ref T a, ref T b, ref T destination, nuint cols)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;
}

/// <summary>
/// The loops of every row-wise kernel (softmax, log-softmax, their backward, softmax cross-entropy): the width is
/// chosen once per call from the row length (<see cref="PathTable.RunFitting"/>: the widest of the path that fits a
/// row, so a row's bits depend on its length and the path, never on the batch), so a matrix of short rows (cols = 10, the classifier case) runs one
/// tight loop over rows with no per-row dispatch, and a long row runs whole vectors. The kernels on softmax statistics
/// (<see cref="ISoftmaxRowOperator{T}"/>) enter at <see cref="RunSoftmax"/>, which hands rows that the path takes four at a
/// time to <see cref="FourRowDriver"/> with the same operator.
/// </summary>
/// <remarks>
/// Within a row, each pass covers whole vectors and finishes with one overlapping vector ending at the last
/// element, loaded before anything is stored so that a destination may be an input itself. Reductions mask the
/// overlapping lanes out of the last vector (max needs no mask: it is idempotent). Rows shorter than a Vector128
/// run through <see cref="ScalarOps{T}"/>.
/// </remarks>
internal static class RowwiseDriver
{
    /// <summary>Runs <paramref name="op"/> over every row and returns the sum of the rows' contributions, in double.</summary>
    public static double Run<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination, int rows, int cols)
        where TOp : struct, IRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T aRef = ref MemoryMarshal.GetReference(a);
        ref T bRef = ref MemoryMarshal.GetReference(b);
        ref T dRef = ref MemoryMarshal.GetReference(destination);
        if (rows == 0 || cols == 0)
        {
            return 0;
        }

        var loop = new RowLoop<TOp, T>(op, ref aRef, ref bRef, ref dRef, rows, (nuint)cols);
        PathTable.RunFitting<RowLoop<TOp, T>, T>(ref loop, (nuint)cols);
        return loop.Total;
    }

    /// <summary>
    /// Runs a kernel on the rows' softmax statistics over every row of <paramref name="x"/>: four rows at a time where
    /// the path takes rows of <paramref name="cols"/> so (<see cref="FourRowDriver"/>), else one row at a time
    /// (<see cref="SoftmaxRow{TOp, T}"/>). Returns the sum of the rows' losses in double (0 without labels).
    /// </summary>
    public static double RunSoftmax<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> destination, int rows, int cols)
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        FourRowDriver.Applies<T>(cols)
            ? FourRowDriver.Run(op, x, destination, rows, cols)
            : Run(new SoftmaxRow<TOp, T>(op), x, x, destination, rows, cols);

    /// <summary>Maximum of <paramref name="length"/> ≥ TOps.Count elements (NaN may or may not propagate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Max<T, TOps, TVec>(ref T x, nuint length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec max0 = TOps.Load(in Unsafe.Add(ref x, lastStart));
        TVec max1 = max0;
        nuint i = 0;

        // Two chains hide the max latency on long rows.
        for (; i + (2 * count) <= lastStart; i += 2 * count)
        {
            max0 = TOps.Max(max0, TOps.Load(in Unsafe.Add(ref x, i)));
            max1 = TOps.Max(max1, TOps.Load(in Unsafe.Add(ref x, i + count)));
        }

        for (; i < lastStart; i += count)
        {
            max0 = TOps.Max(max0, TOps.Load(in Unsafe.Add(ref x, i)));
        }

        return TOps.MaxAcross(TOps.Max(max0, max1));
    }

    /// <summary>
    /// <c>Σ exp(x − max)</c> over <paramref name="length"/> ≥ TOps.Count elements, storing each <c>exp(x − max)</c>
    /// to <paramref name="destination"/> (which may be <paramref name="x"/> itself).
    /// </summary>
    /// <remarks>
    /// Out of line: inlined into a row operator beside its short-row path, the two exp copies exhausted the JIT's
    /// inline budget under tiered PGO and left the vector ops as calls (softmax forward at 128 and 4096 columns ran
    /// 3–10× slower than TensorPrimitives). One call per row of more than two vectors costs nothing measurable.
    /// x − max ≤ 0 (or NaN, where the native max dropped a NaN), so exp needs no upper clamp.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T ExpSum<T, TOps, TVec>(ref T x, T max, ref T destination, nuint length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec shift = TOps.Create(max);
        TVec last = VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in Unsafe.Add(ref x, lastStart)), shift));
        TVec sum = TOps.Select(NewLanes<T, TOps, TVec>(length), last, TOps.Create(T.Zero));
        for (nuint i = 0; i < lastStart; i += count)
        {
            TVec e = VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in Unsafe.Add(ref x, i)), shift));
            TOps.Store(e, ref Unsafe.Add(ref destination, i));
            sum = TOps.Add(sum, e);
        }

        TOps.Store(last, ref Unsafe.Add(ref destination, lastStart));
        return TOps.Sum(sum);
    }

    /// <summary><c>Σ exp(x − max)</c> over <paramref name="length"/> ≥ TOps.Count elements, storing nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ExpSum<T, TOps, TVec>(ref T x, T max, nuint length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec shift = TOps.Create(max);
        TVec last = VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in Unsafe.Add(ref x, lastStart)), shift));
        TVec sum = TOps.Select(NewLanes<T, TOps, TVec>(length), last, TOps.Create(T.Zero));
        for (nuint i = 0; i < lastStart; i += count)
        {
            sum = TOps.Add(sum, VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in Unsafe.Add(ref x, i)), shift)));
        }

        return TOps.Sum(sum);
    }

    /// <summary><c>Σ x</c> over <paramref name="length"/> ≥ TOps.Count elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum<T, TOps, TVec>(ref T x, nuint length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec sum0 = TOps.Select(NewLanes<T, TOps, TVec>(length), TOps.Load(in Unsafe.Add(ref x, lastStart)), TOps.Create(T.Zero));
        TVec sum1 = TOps.Create(T.Zero);
        nuint i = 0;
        for (; i + (2 * count) <= lastStart; i += 2 * count)
        {
            sum0 = TOps.Add(sum0, TOps.Load(in Unsafe.Add(ref x, i)));
            sum1 = TOps.Add(sum1, TOps.Load(in Unsafe.Add(ref x, i + count)));
        }

        for (; i < lastStart; i += count)
        {
            sum0 = TOps.Add(sum0, TOps.Load(in Unsafe.Add(ref x, i)));
        }

        return TOps.Sum(TOps.Add(sum0, sum1));
    }

    /// <summary><c>Σ x·y</c> over <paramref name="length"/> ≥ TOps.Count elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Dot<T, TOps, TVec>(ref T x, ref T y, nuint length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec lastProduct = TOps.Multiply(TOps.Load(in Unsafe.Add(ref x, lastStart)), TOps.Load(in Unsafe.Add(ref y, lastStart)));
        TVec sum0 = TOps.Select(NewLanes<T, TOps, TVec>(length), lastProduct, TOps.Create(T.Zero));
        TVec sum1 = TOps.Create(T.Zero);
        nuint i = 0;
        for (; i + (2 * count) <= lastStart; i += 2 * count)
        {
            sum0 = TOps.MultiplyAdd(TOps.Load(in Unsafe.Add(ref x, i)), TOps.Load(in Unsafe.Add(ref y, i)), sum0);
            sum1 = TOps.MultiplyAdd(TOps.Load(in Unsafe.Add(ref x, i + count)), TOps.Load(in Unsafe.Add(ref y, i + count)), sum1);
        }

        for (; i < lastStart; i += count)
        {
            sum0 = TOps.MultiplyAdd(TOps.Load(in Unsafe.Add(ref x, i)), TOps.Load(in Unsafe.Add(ref y, i)), sum0);
        }

        return TOps.Sum(TOps.Add(sum0, sum1));
    }

    /// <summary><c>Σ op(a, b)</c> over <paramref name="length"/> ≥ TOps.Count elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Reduce<TOp, T, TOps, TVec>(TOp op, ref T a, ref T b, nuint length)
        where TOp : struct, IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec last = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref a, lastStart)), TOps.Load(in Unsafe.Add(ref b, lastStart)));
        TVec sum = TOps.Select(NewLanes<T, TOps, TVec>(length), last, TOps.Create(T.Zero));
        for (nuint i = 0; i < lastStart; i += count)
        {
            sum = TOps.Add(sum, op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref a, i)), TOps.Load(in Unsafe.Add(ref b, i))));
        }

        return TOps.Sum(sum);
    }

    /// <summary>
    /// Stores <c>op(a, b)</c> to <paramref name="destination"/> (which may be <paramref name="a"/> or <paramref name="b"/>
    /// itself) and returns the sum of the per-element terms <paramref name="op"/> reports, over
    /// <paramref name="length"/> ≥ TOps.Count elements.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MapSum<TOp, T, TOps, TVec>(TOp op, ref T a, ref T b, ref T destination, nuint length)
        where TOp : struct, ILossOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec last = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref a, lastStart)), TOps.Load(in Unsafe.Add(ref b, lastStart)), out TVec lastTerm);
        TVec sum = TOps.Select(NewLanes<T, TOps, TVec>(length), lastTerm, TOps.Create(T.Zero));
        for (nuint i = 0; i < lastStart; i += count)
        {
            TVec result = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref a, i)), TOps.Load(in Unsafe.Add(ref b, i)), out TVec term);
            TOps.Store(result, ref Unsafe.Add(ref destination, i));
            sum = TOps.Add(sum, term);
        }

        TOps.Store(last, ref Unsafe.Add(ref destination, lastStart));
        return TOps.Sum(sum);
    }

    /// <summary>
    /// <c>Σ exp(x − max)</c> over a row of Count to 2·Count elements, with the exponentials of its two vectors (one at 0,
    /// one ending at the last element) left in registers: storing them and loading them back for the output pass
    /// would stall on store forwarding where the two overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ShortRowExpSum<T, TOps, TVec>(ref T x, T max, nuint cols, out TVec first, out TVec second)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        TVec shift = TOps.Create(max);
        first = VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in x), shift));
        second = VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Subtract(TOps.Load(in Unsafe.Add(ref x, cols - (nuint)TOps.Count)), shift));
        TVec newLanes = SecondVectorNewLanes<T, TOps, TVec>(cols);
        return TOps.Sum(TOps.Add(first, TOps.Select(newLanes, second, TOps.Create(T.Zero))));
    }

    /// <summary>
    /// For a row of <paramref name="length"/> in [Count, 2·Count] held as two vectors, one at 0 and one ending at the
    /// last element: the mask of the second vector's lanes that the first does not cover (from lane 2·Count − length).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec SecondVectorNewLanes<T, TOps, TVec>(nuint length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct => LanesFrom<T, TOps, TVec>((2 * (nuint)TOps.Count) - length);

    /// <summary>
    /// Mask of the lanes of the last (overlapping) vector of a <paramref name="length"/>-element pass that the whole
    /// vectors before it did not cover: the whole vectors end at ⌈(length − Count)/Count⌉·Count, so the first
    /// <c>(Count − length mod Count) mod Count</c> lanes are already counted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec NewLanes<T, TOps, TVec>(nuint length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        return LanesFrom<T, TOps, TVec>((count - (length % count)) % count);
    }

    /// <summary>Mask of lanes <paramref name="first"/>, first + 1, … .</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec LanesFrom<T, TOps, TVec>(nuint first)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        TVec lane = TOps.Load(in MemoryMarshal.GetArrayDataReference(LaneIndex<T>.Values));
        return TOps.LessThanOrEqual(TOps.Create(T.CreateTruncating(first)), lane);
    }

    /// <summary>Every row at one width; <see cref="Total"/> is the sum of the rows' contributions.</summary>
    private ref struct RowLoop<TOp, T> : IPathKernel<T>
        where TOp : struct, IRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op;
        private readonly ref T _a;
        private readonly ref T _b;
        private readonly ref T _destination;
        private readonly int _rows;
        private readonly nuint _cols;

        public RowLoop(TOp op, ref T a, ref T b, ref T destination, int rows, nuint cols)
        {
            _op = op;
            _a = ref a;
            _b = ref b;
            _destination = ref destination;
            _rows = rows;
            _cols = cols;
        }

        public double Total { get; private set; }

        /// <remarks>
        /// Out of line, so that the row operator's vector code is inlined against this method's own budget: under tiered
        /// PGO the dispatcher inlined the hot width's loop, ran out of budget and left exp's ops as calls (softmax
        /// cross-entropy at 10 columns ran 2–3× slower than with PGO off).
        /// </remarks>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            double total = 0;
            nuint offset = 0;
            for (int row = 0; row < _rows; row++, offset += _cols)
            {
                total += _op.Invoke<TOps, TVec>(
                    row, ref Unsafe.Add(ref _a, offset), ref Unsafe.Add(ref _b, offset), ref Unsafe.Add(ref _destination, offset), _cols);
            }

            Total = total;
        }
    }

    /// <summary>
    /// One row of a kernel on softmax statistics (<see cref="ISoftmaxRowOperator{T}"/>): the max pass, then the
    /// exp-and-sum pass and the output pass. An <see cref="IFromLogits"/> kernel's output pass reads x, so its exps are
    /// summed and dropped; the others' read e, which a row of Count to 2·Count elements keeps in two registers from load
    /// to store (the classifier case) and a longer row stores in the destination and maps in place. The factor is one
    /// value per row, so the scalar ops compute it; the label's output is rewritten after the row's stores.
    /// </summary>
    private readonly ref struct SoftmaxRow<TOp, T>(TOp op) : IRowOperator<T>
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op = op;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T x, ref T b, ref T destination, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T max = Max<T, TOps, TVec>(ref x, cols);
            if (!T.IsFinite(max))
            {
                return _op.NonFiniteRow(row, ref x, ref destination, cols, max);
            }

            // Read before any store: the destination may be x itself.
            double loss = typeof(TOp).IsAssignableTo(typeof(ILabelledRows)) ? _op.LossWithoutLogSum(row, ref x, max) : 0;
            T sum;
            if (typeof(TOp).IsAssignableTo(typeof(IFromLogits)))
            {
                sum = ExpSum<T, TOps, TVec>(ref x, max, cols);
                ElementwiseDriver.Run<OutputOperator<TOp, T>, T, TOps, TVec>(new(_op, max, _op.Factor<ScalarOps<T>, T>(sum)), ref x, ref destination, cols);
            }
            else if (cols <= 2 * (nuint)TOps.Count)
            {
                sum = ShortRowExpSum<T, TOps, TVec>(ref x, max, cols, out TVec first, out TVec second);
                var output = new OutputOperator<TOp, T>(_op, max, _op.Factor<ScalarOps<T>, T>(sum));
                TOps.Store(output.Invoke<TOps, TVec>(first), ref destination);
                TOps.Store(output.Invoke<TOps, TVec>(second), ref Unsafe.Add(ref destination, cols - (nuint)TOps.Count));
            }
            else
            {
                sum = ExpSum<T, TOps, TVec>(ref x, max, ref destination, cols);
                ElementwiseDriver.Run<OutputOperator<TOp, T>, T, TOps, TVec>(new(_op, max, _op.Factor<ScalarOps<T>, T>(sum)), ref destination, ref destination, cols);
            }

            if (!typeof(TOp).IsAssignableTo(typeof(ILabelledRows)))
            {
                return 0;
            }

            ref T atLabel = ref Unsafe.Add(ref destination, _op.Label(row));
            atLabel = _op.AtLabel<ScalarOps<T>, T>(atLabel);
            return loss + Math.Log(ScalarOps<T>.Widen(sum));
        }
    }

    /// <summary>The output pass of a kernel on softmax statistics: its <c>Invoke</c> with the row's m and factor broadcast.</summary>
    private readonly ref struct OutputOperator<TOp, T>(TOp op, T max, T factor) : IUnaryOperator<T>
        where TOp : struct, ISoftmaxRowOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op = op;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec value)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => _op.Invoke<TOps, TVec>(value, TOps.Create(max), TOps.Create(factor));
    }
}
