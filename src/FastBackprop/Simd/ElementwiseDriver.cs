namespace FastBackprop.Simd;

/// <summary>
/// The loops of every element-wise kernel, written once: pick the widest active vector that fits the length, run
/// it over whole vectors, and finish with one overlapping vector ending at the last element.
/// </summary>
/// <remarks>
/// Callers validate lengths and aliasing first. A destination may be the same span as an input (in place) but
/// must not partially overlap one. The overlapping last vector is loaded and computed before the main loop
/// stores anything, so in place it reads original inputs; storing it last rewrites the overlap with the values
/// the main loop already wrote there. Lengths below one Vector128 run through <see cref="ScalarOps{T}"/>.
/// The span entry points call each width out of line: inlined
/// together, four widths of a long operator such as sigmoid exhaust the JIT's inline budget, and the operator's
/// vector ops are then left as calls (measured 3× slower on AVX2). The row kernels inline the width loops directly.
/// </remarks>
internal static class ElementwiseDriver
{
    public static void Run<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> destination)
        where TOp : struct, IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T xRef = ref MemoryMarshal.GetReference(x);
        ref T dRef = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)x.Length;
        if (Dispatch.Use512 && length >= (nuint)Vector512<T>.Count)
        {
            RunOutOfLine<TOp, T, Vector512Ops<T>, Vector512<T>>(op, ref xRef, ref dRef, length);
        }
        else if (Dispatch.Use256 && length >= (nuint)Vector256<T>.Count)
        {
            RunOutOfLine<TOp, T, Vector256Ops<T>, Vector256<T>>(op, ref xRef, ref dRef, length);
        }
        else if (Dispatch.Use128 && length >= (nuint)Vector128<T>.Count)
        {
            RunOutOfLine<TOp, T, Vector128Ops<T>, Vector128<T>>(op, ref xRef, ref dRef, length);
        }
        else
        {
            for (nuint i = 0; i < length; i++)
            {
                Unsafe.Add(ref dRef, i) = op.Invoke<ScalarOps<T>, T>(Unsafe.Add(ref xRef, i));
            }
        }
    }

    public static void Run<TOp, T>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where TOp : struct, IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T xRef = ref MemoryMarshal.GetReference(x);
        ref T yRef = ref MemoryMarshal.GetReference(y);
        ref T dRef = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)x.Length;
        if (Dispatch.Use512 && length >= (nuint)Vector512<T>.Count)
        {
            RunOutOfLine<TOp, T, Vector512Ops<T>, Vector512<T>>(op, ref xRef, ref yRef, ref dRef, length);
        }
        else if (Dispatch.Use256 && length >= (nuint)Vector256<T>.Count)
        {
            RunOutOfLine<TOp, T, Vector256Ops<T>, Vector256<T>>(op, ref xRef, ref yRef, ref dRef, length);
        }
        else if (Dispatch.Use128 && length >= (nuint)Vector128<T>.Count)
        {
            RunOutOfLine<TOp, T, Vector128Ops<T>, Vector128<T>>(op, ref xRef, ref yRef, ref dRef, length);
        }
        else
        {
            for (nuint i = 0; i < length; i++)
            {
                Unsafe.Add(ref dRef, i) = op.Invoke<ScalarOps<T>, T>(Unsafe.Add(ref xRef, i), Unsafe.Add(ref yRef, i));
            }
        }
    }

    /// <summary>
    /// A one-state update in place: each element of <paramref name="parameters"/> and <paramref name="state"/> is
    /// rewritten from its own values and <paramref name="gradient"/>'s. The spans have one length and are disjoint.
    /// </summary>
    public static void RunUpdate<TOp, T>(TOp op, ReadOnlySpan<T> gradient, Span<T> parameters, Span<T> state)
        where TOp : struct, IUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T gRef = ref MemoryMarshal.GetReference(gradient);
        ref T pRef = ref MemoryMarshal.GetReference(parameters);
        ref T sRef = ref MemoryMarshal.GetReference(state);
        nuint length = (nuint)gradient.Length;
        if (Dispatch.Use512 && length >= (nuint)Vector512<T>.Count)
        {
            RunUpdateOutOfLine<TOp, T, Vector512Ops<T>, Vector512<T>>(op, ref gRef, ref pRef, ref sRef, length);
        }
        else if (Dispatch.Use256 && length >= (nuint)Vector256<T>.Count)
        {
            RunUpdateOutOfLine<TOp, T, Vector256Ops<T>, Vector256<T>>(op, ref gRef, ref pRef, ref sRef, length);
        }
        else if (Dispatch.Use128 && length >= (nuint)Vector128<T>.Count)
        {
            RunUpdateOutOfLine<TOp, T, Vector128Ops<T>, Vector128<T>>(op, ref gRef, ref pRef, ref sRef, length);
        }
        else
        {
            for (nuint i = 0; i < length; i++)
            {
                ref T p = ref Unsafe.Add(ref pRef, i);
                p = op.Invoke<ScalarOps<T>, T>(Unsafe.Add(ref gRef, i), p, ref Unsafe.Add(ref sRef, i));
            }
        }
    }

    /// <summary>A two-state update in place (Adam's moments); see the one-state form.</summary>
    public static void RunUpdate<TOp, T>(TOp op, ReadOnlySpan<T> gradient, Span<T> parameters, Span<T> firstState, Span<T> secondState)
        where TOp : struct, ITwoStateUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T gRef = ref MemoryMarshal.GetReference(gradient);
        ref T pRef = ref MemoryMarshal.GetReference(parameters);
        ref T s0Ref = ref MemoryMarshal.GetReference(firstState);
        ref T s1Ref = ref MemoryMarshal.GetReference(secondState);
        nuint length = (nuint)gradient.Length;
        if (Dispatch.Use512 && length >= (nuint)Vector512<T>.Count)
        {
            RunUpdateOutOfLine<TOp, T, Vector512Ops<T>, Vector512<T>>(op, ref gRef, ref pRef, ref s0Ref, ref s1Ref, length);
        }
        else if (Dispatch.Use256 && length >= (nuint)Vector256<T>.Count)
        {
            RunUpdateOutOfLine<TOp, T, Vector256Ops<T>, Vector256<T>>(op, ref gRef, ref pRef, ref s0Ref, ref s1Ref, length);
        }
        else if (Dispatch.Use128 && length >= (nuint)Vector128<T>.Count)
        {
            RunUpdateOutOfLine<TOp, T, Vector128Ops<T>, Vector128<T>>(op, ref gRef, ref pRef, ref s0Ref, ref s1Ref, length);
        }
        else
        {
            for (nuint i = 0; i < length; i++)
            {
                ref T p = ref Unsafe.Add(ref pRef, i);
                p = op.Invoke<ScalarOps<T>, T>(Unsafe.Add(ref gRef, i), p, ref Unsafe.Add(ref s0Ref, i), ref Unsafe.Add(ref s1Ref, i));
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunOutOfLine<TOp, T, TOps, TVec>(TOp op, ref T x, ref T destination, nuint length)
        where TOp : struct, IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct =>
        Run<TOp, T, TOps, TVec>(op, ref x, ref destination, length);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunOutOfLine<TOp, T, TOps, TVec>(TOp op, ref T x, ref T y, ref T destination, nuint length)
        where TOp : struct, IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct =>
        Run<TOp, T, TOps, TVec>(op, ref x, ref y, ref destination, length);

    /// <summary>Whole vectors, then the overlapping last one. Requires <c>length ≥ TOps.Count</c>.</summary>
    /// <remarks>
    /// The operator is invoked at one site only: every extra inlined copy of a long operator (sigmoid's exp is ~30
    /// vector ops) counts against the JIT's inline budget, and past it the operator's ops stay calls. The last
    /// vector's input is loaded before any store, so an in-place call computes it from original values.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp, T, TOps, TVec>(TOp op, ref T x, ref T destination, nuint length)
        where TOp : struct, IUnaryOperator<T>
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunUpdateOutOfLine<TOp, T, TOps, TVec>(TOp op, ref T gradient, ref T parameters, ref T state, nuint length)
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunUpdateOutOfLine<TOp, T, TOps, TVec>(TOp op, ref T gradient, ref T parameters, ref T firstState, ref T secondState, nuint length)
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
}
