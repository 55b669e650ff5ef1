namespace FastBackprop.Simd;

/// <summary>
/// The loops of every element-wise kernel, written once: whole vectors of the active path's width, then one
/// overlapping vector ending at the last element; a span shorter than one vector runs as one zero-padded vector.
/// </summary>
/// <remarks>
/// <para>An element's result depends only on its value and the path, never on the span's length or offset: every
/// element, in the body, in the overlapping last vector or in a padded short span, goes through the same operator at
/// the same width (a narrower width would run another exp algorithm on AVX-512, see <see cref="ExpAlgorithm"/>).</para>
/// <para>Callers validate lengths and aliasing first. A destination may be the same span as an input (in place) but
/// must not partially overlap one. The overlapping last vector is loaded and computed before the main loop
/// stores anything, so in place it reads original inputs; storing it last rewrites the overlap with the values
/// the main loop already wrote there. A short span is copied into a local vector, computed there and copied back.</para>
/// <para>The span entry points run the width's loop out of line: inlined into the entry, a long operator such as
/// sigmoid exhausted the JIT's inline budget and its vector ops were left as calls (measured 3× slower on AVX2).
/// The row kernels inline the width loops directly.</para>
/// </remarks>
internal static class ElementwiseDriver
{
    public static void Run<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> destination)
        where TOp : struct, IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loop = new UnaryLoop<TOp, T>(op, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(destination), (nuint)x.Length);
        PathTable.Run<UnaryLoop<TOp, T>, T>(ref loop);
    }

    public static void Run<TOp, T>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where TOp : struct, IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loop = new BinaryLoop<TOp, T>(
            op, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(destination), (nuint)x.Length);
        PathTable.Run<BinaryLoop<TOp, T>, T>(ref loop);
    }

    /// <summary>
    /// A one-state update in place: each element of <paramref name="parameters"/> and <paramref name="state"/> is
    /// rewritten from its own values and <paramref name="gradient"/>'s. The spans have one length and are disjoint.
    /// </summary>
    public static void RunUpdate<TOp, T>(TOp op, ReadOnlySpan<T> gradient, Span<T> parameters, Span<T> state)
        where TOp : struct, IUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loop = new UpdateLoop<TOp, T>(
            op, ref MemoryMarshal.GetReference(gradient), ref MemoryMarshal.GetReference(parameters), ref MemoryMarshal.GetReference(state), (nuint)gradient.Length);
        PathTable.Run<UpdateLoop<TOp, T>, T>(ref loop);
    }

    /// <summary>A two-state update in place (Adam's moments); see the one-state form.</summary>
    public static void RunUpdate<TOp, T>(TOp op, ReadOnlySpan<T> gradient, Span<T> parameters, Span<T> firstState, Span<T> secondState)
        where TOp : struct, ITwoStateUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loop = new TwoStateUpdateLoop<TOp, T>(
            op,
            ref MemoryMarshal.GetReference(gradient),
            ref MemoryMarshal.GetReference(parameters),
            ref MemoryMarshal.GetReference(firstState),
            ref MemoryMarshal.GetReference(secondState),
            (nuint)gradient.Length);
        PathTable.Run<TwoStateUpdateLoop<TOp, T>, T>(ref loop);
    }

    /// <summary>Whole vectors, then the overlapping last one. Requires <c>length ≥ TOps.Count</c>.</summary>
    /// <remarks>
    /// The operator is invoked at one site only: every extra inlined copy of a long operator (sigmoid's exp is ~30
    /// vector ops) counts against the JIT's inline budget, and past it the operator's ops stay calls. The last
    /// vector's input is loaded before any store, so an in-place call computes it from original values.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp, T, TOps, TVec>(TOp op, ref T x, ref T destination, nuint length)
        where TOp : struct, IUnaryOperator<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec lastX = TOps.Load(in Unsafe.Add(ref x, lastStart));
        nuint i = 0;
        while (true)
        {
            bool final = i >= lastStart;
            TVec input = final ? lastX : TOps.Load(in Unsafe.Add(ref x, i));
            nuint at = final ? lastStart : i;
            TOps.Store(op.Invoke<TOps, TVec>(input), ref Unsafe.Add(ref destination, at));
            if (final)
            {
                return;
            }

            i += count;
        }
    }

    /// <summary>Whole vectors, then the overlapping last one. Requires <c>length ≥ TOps.Count</c>; see the unary form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp, T, TOps, TVec>(TOp op, ref T x, ref T y, ref T destination, nuint length)
        where TOp : struct, IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec lastX = TOps.Load(in Unsafe.Add(ref x, lastStart));
        TVec lastY = TOps.Load(in Unsafe.Add(ref y, lastStart));
        nuint i = 0;
        while (true)
        {
            bool final = i >= lastStart;
            TVec inputX = final ? lastX : TOps.Load(in Unsafe.Add(ref x, i));
            TVec inputY = final ? lastY : TOps.Load(in Unsafe.Add(ref y, i));
            nuint at = final ? lastStart : i;
            TOps.Store(op.Invoke<TOps, TVec>(inputX, inputY), ref Unsafe.Add(ref destination, at));
            if (final)
            {
                return;
            }

            i += count;
        }
    }

    /// <summary>Whole vectors, then the overlapping last one. Requires <c>length ≥ TOps.Count</c>; see the unary form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunUpdate<TOp, T, TOps, TVec>(TOp op, ref T gradient, ref T parameters, ref T state, nuint length)
        where TOp : struct, IUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        // As the unary form: the last vector's inputs are loaded before any store, so the overlap it shares with the
        // main loop is computed from original values and rewritten with the bits the main loop stored there.
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec lastGradient = TOps.Load(in Unsafe.Add(ref gradient, lastStart));
        TVec lastParameter = TOps.Load(in Unsafe.Add(ref parameters, lastStart));
        TVec lastState = TOps.Load(in Unsafe.Add(ref state, lastStart));
        nuint i = 0;
        while (true)
        {
            bool final = i >= lastStart;
            nuint at = final ? lastStart : i;
            TVec g = final ? lastGradient : TOps.Load(in Unsafe.Add(ref gradient, i));
            TVec p = final ? lastParameter : TOps.Load(in Unsafe.Add(ref parameters, i));
            TVec s = final ? lastState : TOps.Load(in Unsafe.Add(ref state, i));
            TOps.Store(op.Invoke<TOps, TVec>(g, p, ref s), ref Unsafe.Add(ref parameters, at));
            TOps.Store(s, ref Unsafe.Add(ref state, at));
            if (final)
            {
                return;
            }

            i += count;
        }
    }

    /// <summary>Whole vectors, then the overlapping last one. Requires <c>length ≥ TOps.Count</c>; see the unary form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunUpdate<TOp, T, TOps, TVec>(TOp op, ref T gradient, ref T parameters, ref T firstState, ref T secondState, nuint length)
        where TOp : struct, ITwoStateUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        // As the one-state form: every input of the overlapping last vector is loaded before any store.
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec lastGradient = TOps.Load(in Unsafe.Add(ref gradient, lastStart));
        TVec lastParameter = TOps.Load(in Unsafe.Add(ref parameters, lastStart));
        TVec lastFirst = TOps.Load(in Unsafe.Add(ref firstState, lastStart));
        TVec lastSecond = TOps.Load(in Unsafe.Add(ref secondState, lastStart));
        nuint i = 0;
        while (true)
        {
            bool final = i >= lastStart;
            nuint at = final ? lastStart : i;
            TVec g = final ? lastGradient : TOps.Load(in Unsafe.Add(ref gradient, i));
            TVec p = final ? lastParameter : TOps.Load(in Unsafe.Add(ref parameters, i));
            TVec s0 = final ? lastFirst : TOps.Load(in Unsafe.Add(ref firstState, i));
            TVec s1 = final ? lastSecond : TOps.Load(in Unsafe.Add(ref secondState, i));
            TOps.Store(op.Invoke<TOps, TVec>(g, p, ref s0, ref s1), ref Unsafe.Add(ref parameters, at));
            TOps.Store(s0, ref Unsafe.Add(ref firstState, at));
            TOps.Store(s1, ref Unsafe.Add(ref secondState, at));
            if (final)
            {
                return;
            }

            i += count;
        }
    }

    /// <summary>
    /// Points <paramref name="span"/> at <paramref name="padded"/> holding its <paramref name="length"/> elements
    /// followed by zeros, so a span shorter than one vector runs through the width's loop as one whole vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T Pad<T, TVec>(ref T span, ref TVec padded, nuint length)
        where TVec : struct
    {
        padded = default;
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<TVec, byte>(ref padded), ref Unsafe.As<T, byte>(ref span), (uint)(length * (nuint)Unsafe.SizeOf<T>()));
        return ref Unsafe.As<TVec, T>(ref padded);
    }

    /// <summary>Copies the first <paramref name="length"/> elements of a padded vector back to the caller's span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpad<T, TVec>(ref TVec padded, ref T span, nuint length)
        where TVec : struct =>
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref span), ref Unsafe.As<TVec, byte>(ref padded), (uint)(length * (nuint)Unsafe.SizeOf<T>()));

    // One struct per entry point: the path table calls its Run once per path, out of line, and each operator is invoked
    // at one site (a padded short span is redirected through the same loop rather than given a second call of the
    // operator, which would count again against the inline budget).
    private readonly ref struct UnaryLoop<TOp, T> : IPathKernel<T>
        where TOp : struct, IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op;
        private readonly ref T _x;
        private readonly ref T _destination;
        private readonly nuint _length;

        public UnaryLoop(TOp op, ref T x, ref T destination, nuint length)
        {
            _op = op;
            _x = ref x;
            _destination = ref destination;
            _length = length;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            if (_length == 0)
            {
                return;
            }

            bool padded = _length < (nuint)TOps.Count;
            TVec buffer = default;
            ref T x = ref padded ? ref Pad(ref _x, ref buffer, _length) : ref _x;
            ref T destination = ref padded ? ref Unsafe.As<TVec, T>(ref buffer) : ref _destination;
            Run<TOp, T, TOps, TVec>(_op, ref x, ref destination, padded ? (nuint)TOps.Count : _length);
            if (padded)
            {
                Unpad(ref buffer, ref _destination, _length);
            }
        }
    }

    private readonly ref struct BinaryLoop<TOp, T> : IPathKernel<T>
        where TOp : struct, IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op;
        private readonly ref T _x;
        private readonly ref T _y;
        private readonly ref T _destination;
        private readonly nuint _length;

        public BinaryLoop(TOp op, ref T x, ref T y, ref T destination, nuint length)
        {
            _op = op;
            _x = ref x;
            _y = ref y;
            _destination = ref destination;
            _length = length;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            if (_length == 0)
            {
                return;
            }

            bool padded = _length < (nuint)TOps.Count;
            TVec xBuffer = default, yBuffer = default;
            ref T x = ref padded ? ref Pad(ref _x, ref xBuffer, _length) : ref _x;
            ref T y = ref padded ? ref Pad(ref _y, ref yBuffer, _length) : ref _y;
            ref T destination = ref padded ? ref Unsafe.As<TVec, T>(ref xBuffer) : ref _destination;
            Run<TOp, T, TOps, TVec>(_op, ref x, ref y, ref destination, padded ? (nuint)TOps.Count : _length);
            if (padded)
            {
                Unpad(ref xBuffer, ref _destination, _length);
            }
        }
    }

    private readonly ref struct UpdateLoop<TOp, T> : IPathKernel<T>
        where TOp : struct, IUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op;
        private readonly ref T _gradient;
        private readonly ref T _parameters;
        private readonly ref T _state;
        private readonly nuint _length;

        public UpdateLoop(TOp op, ref T gradient, ref T parameters, ref T state, nuint length)
        {
            _op = op;
            _gradient = ref gradient;
            _parameters = ref parameters;
            _state = ref state;
            _length = length;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            if (_length == 0)
            {
                return;
            }

            bool padded = _length < (nuint)TOps.Count;
            TVec gradientBuffer = default, parameterBuffer = default, stateBuffer = default;
            ref T gradient = ref padded ? ref Pad(ref _gradient, ref gradientBuffer, _length) : ref _gradient;
            ref T parameters = ref padded ? ref Pad(ref _parameters, ref parameterBuffer, _length) : ref _parameters;
            ref T state = ref padded ? ref Pad(ref _state, ref stateBuffer, _length) : ref _state;
            RunUpdate<TOp, T, TOps, TVec>(_op, ref gradient, ref parameters, ref state, padded ? (nuint)TOps.Count : _length);
            if (padded)
            {
                Unpad(ref parameterBuffer, ref _parameters, _length);
                Unpad(ref stateBuffer, ref _state, _length);
            }
        }
    }

    private readonly ref struct TwoStateUpdateLoop<TOp, T> : IPathKernel<T>
        where TOp : struct, ITwoStateUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly TOp _op;
        private readonly ref T _gradient;
        private readonly ref T _parameters;
        private readonly ref T _firstState;
        private readonly ref T _secondState;
        private readonly nuint _length;

        public TwoStateUpdateLoop(TOp op, ref T gradient, ref T parameters, ref T firstState, ref T secondState, nuint length)
        {
            _op = op;
            _gradient = ref gradient;
            _parameters = ref parameters;
            _firstState = ref firstState;
            _secondState = ref secondState;
            _length = length;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T>
        {
            if (_length == 0)
            {
                return;
            }

            bool padded = _length < (nuint)TOps.Count;
            TVec gradientBuffer = default, parameterBuffer = default, firstBuffer = default, secondBuffer = default;
            ref T gradient = ref padded ? ref Pad(ref _gradient, ref gradientBuffer, _length) : ref _gradient;
            ref T parameters = ref padded ? ref Pad(ref _parameters, ref parameterBuffer, _length) : ref _parameters;
            ref T firstState = ref padded ? ref Pad(ref _firstState, ref firstBuffer, _length) : ref _firstState;
            ref T secondState = ref padded ? ref Pad(ref _secondState, ref secondBuffer, _length) : ref _secondState;
            RunUpdate<TOp, T, TOps, TVec>(_op, ref gradient, ref parameters, ref firstState, ref secondState, padded ? (nuint)TOps.Count : _length);
            if (padded)
            {
                Unpad(ref parameterBuffer, ref _parameters, _length);
                Unpad(ref firstBuffer, ref _firstState, _length);
                Unpad(ref secondBuffer, ref _secondState, _length);
            }
        }
    }
}
