namespace FastBackprop.Simd;

/// <summary>
/// The loops of every element-wise kernel, written once: pick the widest active vector that fits the length, run
/// it over whole vectors, two per iteration, and finish with one overlapping vector ending at the last element.
/// </summary>
/// <remarks>
/// Callers validate lengths and aliasing first. A destination may be the same span as an input (in place) but
/// must not partially overlap one. The overlapping last vector is loaded and computed before the main loop
/// stores anything, so in place it reads original inputs; storing it last rewrites the overlap with the values
/// the main loop already wrote there. Lengths below one Vector128 run through <see cref="ScalarOps{T}"/>.
/// Two independent vectors per iteration measured ≈ 5 % faster for sigmoid and tanh on AVX-512 (Zen 4): the
/// operators' long dependency chains overlap better.
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
            Run<TOp, T, Vector512Ops<T>, Vector512<T>>(op, ref xRef, ref dRef, length);
        }
        else if (Dispatch.Use256 && length >= (nuint)Vector256<T>.Count)
        {
            Run<TOp, T, Vector256Ops<T>, Vector256<T>>(op, ref xRef, ref dRef, length);
        }
        else if (Dispatch.Use128 && length >= (nuint)Vector128<T>.Count)
        {
            Run<TOp, T, Vector128Ops<T>, Vector128<T>>(op, ref xRef, ref dRef, length);
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
            Run<TOp, T, Vector512Ops<T>, Vector512<T>>(op, ref xRef, ref yRef, ref dRef, length);
        }
        else if (Dispatch.Use256 && length >= (nuint)Vector256<T>.Count)
        {
            Run<TOp, T, Vector256Ops<T>, Vector256<T>>(op, ref xRef, ref yRef, ref dRef, length);
        }
        else if (Dispatch.Use128 && length >= (nuint)Vector128<T>.Count)
        {
            Run<TOp, T, Vector128Ops<T>, Vector128<T>>(op, ref xRef, ref yRef, ref dRef, length);
        }
        else
        {
            for (nuint i = 0; i < length; i++)
            {
                Unsafe.Add(ref dRef, i) = op.Invoke<ScalarOps<T>, T>(Unsafe.Add(ref xRef, i), Unsafe.Add(ref yRef, i));
            }
        }
    }

    /// <summary>Whole vectors, then the overlapping last one. Requires <c>length ≥ TOps.Count</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp, T, TOps, TVec>(TOp op, ref T x, ref T destination, nuint length)
        where TOp : struct, IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec last = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, lastStart)));
        nuint i = 0;
        for (; i + count < lastStart; i += 2 * count)
        {
            TVec first = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, i)));
            TVec second = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, i + count)));
            TOps.Store(first, ref Unsafe.Add(ref destination, i));
            TOps.Store(second, ref Unsafe.Add(ref destination, i + count));
        }

        if (i < lastStart)
        {
            TOps.Store(op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, i))), ref Unsafe.Add(ref destination, i));
        }

        TOps.Store(last, ref Unsafe.Add(ref destination, lastStart));
    }

    /// <summary>Whole vectors, then the overlapping last one. Requires <c>length ≥ TOps.Count</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp, T, TOps, TVec>(TOp op, ref T x, ref T y, ref T destination, nuint length)
        where TOp : struct, IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
    {
        nuint count = (nuint)TOps.Count;
        nuint lastStart = length - count;
        TVec last = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, lastStart)), TOps.Load(in Unsafe.Add(ref y, lastStart)));
        nuint i = 0;
        for (; i + count < lastStart; i += 2 * count)
        {
            TVec first = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, i)), TOps.Load(in Unsafe.Add(ref y, i)));
            TVec second = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, i + count)), TOps.Load(in Unsafe.Add(ref y, i + count)));
            TOps.Store(first, ref Unsafe.Add(ref destination, i));
            TOps.Store(second, ref Unsafe.Add(ref destination, i + count));
        }

        if (i < lastStart)
        {
            TVec result = op.Invoke<TOps, TVec>(TOps.Load(in Unsafe.Add(ref x, i)), TOps.Load(in Unsafe.Add(ref y, i)));
            TOps.Store(result, ref Unsafe.Add(ref destination, i));
        }

        TOps.Store(last, ref Unsafe.Add(ref destination, lastStart));
    }
}
