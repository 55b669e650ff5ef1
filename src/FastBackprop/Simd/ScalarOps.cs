namespace FastBackprop.Simd;

/// <summary>
/// One element as a "vector" of one lane: the scalar fallback path and the tails shorter than a Vector128.
/// A mask is an element whose bits are all ones (true) or all zeros (false).
/// </summary>
internal readonly struct ScalarOps<T> : IVectorOps<T, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    private static T True
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => typeof(T) == typeof(float) ? Unsafe.BitCast<int, T>(-1) : Unsafe.BitCast<long, T>(-1L);
    }

    /// <summary>
    /// <paramref name="value"/> as double, exactly: a reinterpretation where <c>double.CreateTruncating</c> inlines a
    /// chain of generic conversions, whose locals count against a hot loop's limit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Widen(T value) => typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref value) : Unsafe.As<T, double>(ref value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Load(ref readonly T source) => source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T value, ref T destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Create(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Add(T left, T right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Subtract(T left, T right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Multiply(T left, T right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Divide(T left, T right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MultiplyAdd(T a, T b, T c) => Dispatch.Fused ? T.MultiplyAddEstimate(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Negate(T value) => -value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Abs(T value) => T.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Min(T left, T right) => left < right ? left : right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Max(T left, T right) => left > right ? left : right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sqrt(T value) => T.Sqrt(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LessThan(T left, T right) => left < right ? True : T.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LessThanOrEqual(T left, T right) => left <= right ? True : T.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GreaterThan(T left, T right) => left > right ? True : T.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T IsNaN(T value) => T.IsNaN(value) ? True : T.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Select(T mask, T ifTrue, T ifFalse)
    {
        bool isTrue = typeof(T) == typeof(float) ? Unsafe.BitCast<T, int>(mask) != 0 : Unsafe.BitCast<T, long>(mask) != 0;
        return isTrue ? ifTrue : ifFalse;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T CopySign(T magnitude, T sign) => T.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ScaleByPowerOfTwo(T value, T n) => PowerOfTwo.Scale<ScalarOps<T>, T, T>(value, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T PowerOfTwoFromShifted(T shifted)
    {
        // As in Vector128Ops: the biased exponent of 2ⁿ, with the magic bits shifted out of the word.
        if (typeof(T) == typeof(float))
        {
            return Unsafe.BitCast<int, T>((Unsafe.BitCast<T, int>(shifted) + 127) << 23);
        }

        return Unsafe.BitCast<long, T>((Unsafe.BitCast<T, long>(shifted) + 1023L) << 52);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Decompose(T value, out T exponent)
    {
        // As in Vector128Ops: offset by the bits of √½, shift out the mantissa, subtract k from the exponent field.
        if (typeof(T) == typeof(float))
        {
            int k = (Unsafe.BitCast<T, int>(value) - 0x3F3504F3) >> 23;
            exponent = T.CreateTruncating(k);
            return Unsafe.BitCast<int, T>(Unsafe.BitCast<T, int>(value) - (k << 23));
        }

        long k64 = (Unsafe.BitCast<T, long>(value) - 0x3FE6A09E667F3BCDL) >> 52;
        exponent = T.CreateTruncating(k64);
        return Unsafe.BitCast<long, T>(Unsafe.BitCast<T, long>(value) - (k64 << 52));
    }

    public static bool HasScaleInstruction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => false;
    }

    public static bool HasPermute16
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => false;
    }

    public static T Permute16(T table, T selector) => throw new NotSupportedException("Permute16 needs sixteen lanes.");

    /// <summary>One lane each: the pair in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(T first, T second, out T lower, out T upper)
    {
        lower = first;
        upper = second;
    }

    /// <summary>One lane each: the pair in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(T lower, T upper, out T first, out T second)
    {
        first = lower;
        second = upper;
    }
}
