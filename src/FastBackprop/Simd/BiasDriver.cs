namespace FastBackprop.Simd;

/// <summary>
/// The loops of a dense layer's per-column kernels over a row-major <c>[rows × cols]</c> matrix, each one
/// dispatched call for the whole matrix: the bias add <c>y[r, c] += b[c]</c>, the same add fused with an activation
/// and its derivative (<see cref="AddBiasWithSlope"/>), and the column sums <c>db[c] = Σ_r dy[r, c]</c>, rows added
/// in order.
/// </summary>
/// <remarks>
/// <para>Rows of at least one vector: the bias add runs the element-wise width loop row by row, each with its
/// overlapping last vector; the column sums run down all the rows a block of columns at a time, in registers. Rows
/// shorter than a vector (a 2-class output layer, 10 classes on AVX-512) would each be one padded vector with two
/// copies through the stack, and one dispatched call per row cost more than the arithmetic: 64 rows of 2 floats
/// took 1.4 µs to add a bias and 1.6 µs to sum (Stopwatch, an Intel Xeon, AVX-512).</para>
/// <para>For such rows the bias add runs over the matrix as one flat span: the vector starting at flat element i
/// adds the window of b that starts at column i mod cols, read from b repeated over two vectors. The column sums
/// add them element by element in row order. Either way every element is the one IEEE addition the vector loop
/// makes, with the same operands in the same order, so the bits do not depend on the row length or the path.</para>
/// </remarks>
internal static class BiasDriver
{
    /// <summary><c>y[r, c] += bias[c]</c>. Requires <c>y.Length = rows × cols</c>, <c>bias.Length = cols</c>, disjoint spans.</summary>
    public static void AddBias<T>(ReadOnlySpan<T> bias, int rows, int cols, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loop = new BiasAddLoop<T>(ref MemoryMarshal.GetReference(bias), ref MemoryMarshal.GetReference(y), (nuint)rows, (nuint)cols);
        PathTable.Run<BiasAddLoop<T>, T>(ref loop);
    }

    /// <summary>
    /// A training forward's one pass over a layer: <c>p[r, c] += bias[c]</c> (no addition where <paramref name="bias"/>
    /// is empty), then <c>z = f(p)</c> and <c>slope = f′(p)</c> by <paramref name="op"/>. Each element gets the bits of
    /// <see cref="AddBias"/> followed by the activation's forward and backward (dy = 1) kernels: the same addition and
    /// the same operator at the same width, in the body, the overlapping last vector or a padded short matrix.
    /// Without <paramref name="keepP"/> the biased p is only used, not stored: a step that keeps z and f′ reads
    /// neither again (one store of three fewer per element). Requires <c>p</c>, <c>z</c> and <c>slope</c> of
    /// <c>rows × cols ≥ 1</c> elements, <c>bias.Length</c> = cols or 0, all disjoint.
    /// </summary>
    public static void AddBiasWithSlope<TOp, T>(TOp op, ReadOnlySpan<T> bias, int rows, int cols, Span<T> p, bool keepP, Span<T> z, Span<T> slope)
        where TOp : struct, ISlopeOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loop = new BiasSlopeLoop<TOp, T>(
            op,
            ref MemoryMarshal.GetReference(bias),
            !bias.IsEmpty,
            ref MemoryMarshal.GetReference(p),
            keepP,
            ref MemoryMarshal.GetReference(z),
            ref MemoryMarshal.GetReference(slope),
            (nuint)rows,
            (nuint)cols);
        PathTable.Run<BiasSlopeLoop<TOp, T>, T>(ref loop);
    }

    /// <summary><c>db[c] = Σ_r dy[r, c]</c>, rows in order. Requires <c>rows ≥ 1</c>, <c>dy.Length = rows × cols</c>, <c>db.Length = cols</c>, disjoint spans.</summary>
    public static void ColumnSums<T>(ReadOnlySpan<T> dy, int rows, int cols, Span<T> db)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loop = new ColumnSumLoop<T>(ref MemoryMarshal.GetReference(dy), ref MemoryMarshal.GetReference(db), (nuint)rows, (nuint)cols);
        PathTable.Run<ColumnSumLoop<T>, T>(ref loop);
    }

    /// <summary>
    /// <c>window[j] = bias[j mod cols]</c>: b repeated, so that the vector starting at flat element i of a matrix with
    /// rows shorter than a vector reads its bias from <c>window[i mod cols]</c>.
    /// </summary>
    private static void FillWindow<T>(ref T bias, nuint cols, Span<T> window)
        where T : unmanaged
    {
        for (int j = 0; j < window.Length; j++)
        {
            window[j] = Unsafe.Add(ref bias, (nuint)j % cols);
        }
    }

    private readonly ref struct BiasAddLoop<T> : IPathKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly ref T _bias;
        private readonly ref T _y;
        private readonly nuint _rows;
        private readonly nuint _cols;

        public BiasAddLoop(ref T bias, ref T y, nuint rows, nuint cols)
        {
            _bias = ref bias;
            _y = ref y;
            _rows = rows;
            _cols = cols;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            nuint count = (nuint)TOps.Count;
            nuint length = _rows * _cols;
            if (_cols >= count)
            {
                for (nuint r = 0; r < _rows; r++)
                {
                    ref T row = ref Unsafe.Add(ref _y, r * _cols);
                    ElementwiseDriver.Run<Linear.AddOperator<T>, T, TOps, TVec>(default, ref row, ref _bias, ref row, _cols);
                }

                return;
            }

            if (length < count)
            {
                for (nuint i = 0; i < length; i++)
                {
                    ref T element = ref Unsafe.Add(ref _y, i);
                    element += Unsafe.Add(ref _bias, i % _cols);
                }

                return;
            }

            // window[j] = b[j mod cols] for j < 2·count: the count elements from any column c < cols are b's values
            // for the count flat elements that follow one at column c.
            Span<T> window = stackalloc T[2 * TOps.Count];
            FillWindow(ref _bias, _cols, window);

            ref T bias = ref MemoryMarshal.GetReference(window);
            var add = default(Linear.AddOperator<T>);

            // As the element-wise driver: the overlapping last vector is loaded before the loop stores anything.
            nuint lastStart = length - count;
            TVec lastY = TOps.Load(in Unsafe.Add(ref _y, lastStart));
            TVec lastBias = TOps.Load(in Unsafe.Add(ref bias, lastStart % _cols));
            nuint step = count % _cols;
            nuint column = 0;
            for (nuint i = 0; i < lastStart; i += count)
            {
                ref T at = ref Unsafe.Add(ref _y, i);
                TOps.Store(add.Invoke<TOps, TVec>(TOps.Load(in at), TOps.Load(in Unsafe.Add(ref bias, column))), ref at);
                column += step;
                column = column >= _cols ? column - _cols : column;
            }

            TOps.Store(add.Invoke<TOps, TVec>(lastY, lastBias), ref Unsafe.Add(ref _y, lastStart));
        }
    }

    private readonly ref struct BiasSlopeLoop<TOp, T> : IPathKernel<T>
        where TOp : struct, ISlopeOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op;
        private readonly ref T _bias;
        private readonly bool _hasBias;
        private readonly ref T _p;
        private readonly bool _keepP;
        private readonly ref T _z;
        private readonly ref T _slope;
        private readonly nuint _rows;
        private readonly nuint _cols;

        public BiasSlopeLoop(TOp op, ref T bias, bool hasBias, ref T p, bool keepP, ref T z, ref T slope, nuint rows, nuint cols)
        {
            _op = op;
            _bias = ref bias;
            _hasBias = hasBias;
            _p = ref p;
            _keepP = keepP;
            _z = ref z;
            _slope = ref slope;
            _rows = rows;
            _cols = cols;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            nuint count = (nuint)TOps.Count;
            nuint length = _rows * _cols;
            if (length < count)
            {
                RunPadded<TOps, TVec>(length);
                return;
            }

            if (!_hasBias)
            {
                Run<TOps, TVec>(ref _p, ref _z, ref _slope, length, ref _bias, period: 1);
                return;
            }

            if (_cols >= count)
            {
                for (nuint r = 0; r < _rows; r++)
                {
                    nuint row = r * _cols;
                    Run<TOps, TVec>(ref Unsafe.Add(ref _p, row), ref Unsafe.Add(ref _z, row), ref Unsafe.Add(ref _slope, row), _cols, ref _bias, _cols);
                }

                return;
            }

            // Rows shorter than a vector run as one flat span, as the bias add does: window[j] = b[j mod cols].
            Span<T> window = stackalloc T[2 * TOps.Count];
            FillWindow(ref _bias, _cols, window);

            Run<TOps, TVec>(ref _p, ref _z, ref _slope, length, ref MemoryMarshal.GetReference(window), _cols);
        }

        /// <summary>
        /// Whole vectors over <c>[0, length)</c>, then the overlapping last one; the vector at i adds
        /// <c>bias[i mod period ..]</c> (period ≥ a vector: a row, i itself; shorter: a window of b repeated).
        /// Requires <c>length ≥ TOps.Count</c>.
        /// </summary>
        /// <remarks>
        /// The operator is invoked at one site (see <see cref="ElementwiseDriver"/>), in a method of its own: inlined into
        /// the three callers of <see cref="Run{TOps, TVec, TMicrokernel}"/>, tanh's 30 operations exhausted the JIT's
        /// inline budget and left the stores as calls. The last vector's p is loaded before anything is stored, so its
        /// overlap with the body adds the bias to original values and rewrites the same bits.
        /// </remarks>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Run<TOps, TVec>(ref T p, ref T z, ref T slope, nuint length, ref T bias, nuint period)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            nuint count = (nuint)TOps.Count;
            nuint lastStart = length - count;
            TVec lastP = TOps.Load(in Unsafe.Add(ref p, lastStart));
            TVec lastBias = _hasBias ? TOps.Load(in Unsafe.Add(ref bias, lastStart % period)) : default;
            nuint step = count % period;
            nuint column = 0;
            nuint i = 0;
            while (true)
            {
                bool final = i >= lastStart;
                nuint at = final ? lastStart : i;
                TVec x = final ? lastP : TOps.Load(in Unsafe.Add(ref p, i));
                if (_hasBias)
                {
                    x = TOps.Add(x, final ? lastBias : TOps.Load(in Unsafe.Add(ref bias, column)));
                }

                TVec y = _op.Invoke<TOps, TVec>(x, out TVec derivative);
                if (_keepP)
                {
                    TOps.Store(x, ref Unsafe.Add(ref p, at));
                }

                TOps.Store(y, ref Unsafe.Add(ref z, at));
                TOps.Store(derivative, ref Unsafe.Add(ref slope, at));
                if (final)
                {
                    return;
                }

                i += count;
                column += step;
                column = column >= period ? column - period : column;
            }
        }

        /// <summary>Fewer elements than a vector: one zero-padded vector computed in locals and copied back.</summary>
        private void RunPadded<TOps, TVec>(nuint length)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            int count = TOps.Count;
            Span<T> local = stackalloc T[4 * count];
            local.Clear();
            Span<T> p = local[..count];
            Span<T> z = local.Slice(count, count);
            Span<T> slope = local.Slice(2 * count, count);
            Span<T> window = local.Slice(3 * count, count);
            MemoryMarshal.CreateReadOnlySpan(ref _p, (int)length).CopyTo(p);
            if (_hasBias)
            {
                FillWindow(ref _bias, _cols, window);
            }

            Run<TOps, TVec>(
                ref MemoryMarshal.GetReference(p), ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(slope),
                (nuint)count, ref MemoryMarshal.GetReference(window), (nuint)count);
            if (_keepP)
            {
                p[..(int)length].CopyTo(MemoryMarshal.CreateSpan(ref _p, (int)length));
            }

            z[..(int)length].CopyTo(MemoryMarshal.CreateSpan(ref _z, (int)length));
            slope[..(int)length].CopyTo(MemoryMarshal.CreateSpan(ref _slope, (int)length));
        }
    }

    private readonly ref struct ColumnSumLoop<T> : IPathKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly ref T _dy;
        private readonly ref T _db;
        private readonly nuint _rows;
        private readonly nuint _cols;

        public ColumnSumLoop(ref T dy, ref T db, nuint rows, nuint cols)
        {
            _dy = ref dy;
            _db = ref db;
            _rows = rows;
            _cols = cols;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            // db = dy[0, :], then db = db + dy[r, :] for r = 1, 2, …: the operands in the vector loop's order.
            nuint count = (nuint)TOps.Count;
            if (_cols >= count)
            {
                // A block of columns at a time, its sums in registers down all the rows, then stored once: the same
                // additions per element as a pass over db per row, which cost a dispatched call per row (64 rows of
                // 500: 2.5 µs). Four vectors at once so four chains of additions overlap; the last, overlapping
                // vector recomputes lanes already stored with the same operations, so it rewrites the same bits.
                nuint j = 0;
                for (; j + (4 * count) <= _cols; j += 4 * count)
                {
                    SumColumns<TOps, TVec>(j, count);
                }

                for (; j + count <= _cols; j += count)
                {
                    SumColumn<TOps, TVec>(j);
                }

                if (j < _cols)
                {
                    SumColumn<TOps, TVec>(_cols - count);
                }

                return;
            }

            MemoryMarshal.CreateReadOnlySpan(ref _dy, (int)_cols).CopyTo(MemoryMarshal.CreateSpan(ref _db, (int)_cols));
            for (nuint r = 1; r < _rows; r++)
            {
                ref T row = ref Unsafe.Add(ref _dy, r * _cols);
                for (nuint c = 0; c < _cols; c++)
                {
                    ref T sum = ref Unsafe.Add(ref _db, c);
                    sum += Unsafe.Add(ref row, c);
                }
            }
        }

        /// <summary>db[j..j + V) = Σ_r dy[r, j..j + V), rows in order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SumColumn<TOps, TVec>(nuint j)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            var add = default(Linear.AddOperator<T>);
            ref T column = ref Unsafe.Add(ref _dy, j);
            TVec sum = TOps.Load(in column);
            for (nuint r = 1; r < _rows; r++)
            {
                sum = add.Invoke<TOps, TVec>(sum, TOps.Load(in Unsafe.Add(ref column, r * _cols)));
            }

            TOps.Store(sum, ref Unsafe.Add(ref _db, j));
        }

        /// <summary>db[j..j + 4V) = Σ_r dy[r, j..j + 4V), rows in order, four independent sums.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SumColumns<TOps, TVec>(nuint j, nuint count)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            var add = default(Linear.AddOperator<T>);
            ref T column = ref Unsafe.Add(ref _dy, j);
            TVec sum0 = TOps.Load(in column);
            TVec sum1 = TOps.Load(in Unsafe.Add(ref column, count));
            TVec sum2 = TOps.Load(in Unsafe.Add(ref column, 2 * count));
            TVec sum3 = TOps.Load(in Unsafe.Add(ref column, 3 * count));
            for (nuint r = 1; r < _rows; r++)
            {
                ref T row = ref Unsafe.Add(ref column, r * _cols);
                sum0 = add.Invoke<TOps, TVec>(sum0, TOps.Load(in row));
                sum1 = add.Invoke<TOps, TVec>(sum1, TOps.Load(in Unsafe.Add(ref row, count)));
                sum2 = add.Invoke<TOps, TVec>(sum2, TOps.Load(in Unsafe.Add(ref row, 2 * count)));
                sum3 = add.Invoke<TOps, TVec>(sum3, TOps.Load(in Unsafe.Add(ref row, 3 * count)));
            }

            ref T db = ref Unsafe.Add(ref _db, j);
            TOps.Store(sum0, ref db);
            TOps.Store(sum1, ref Unsafe.Add(ref db, count));
            TOps.Store(sum2, ref Unsafe.Add(ref db, 2 * count));
            TOps.Store(sum3, ref Unsafe.Add(ref db, 3 * count));
        }
    }
}
