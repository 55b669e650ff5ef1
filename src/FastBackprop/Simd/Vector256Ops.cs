using System.Runtime.Intrinsics.X86;

using Vec = System.Runtime.Intrinsics.Vector256;

namespace FastBackprop.Simd;

/// <summary>256-bit vectors (AVX2 + FMA).</summary>
internal readonly struct Vector256Ops<T> : IVectorOps<Vector256<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<T>.Count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref readonly T source) => Vec.LoadUnsafe(in source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> value, ref T destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Create(T value) => Vec.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> left, Vector256<T> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Subtract(Vector256<T> left, Vector256<T> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Multiply(Vector256<T> left, Vector256<T> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Divide(Vector256<T> left, Vector256<T> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vec.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        return Vec.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Negate(Vector256<T> value) => -value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Abs(Vector256<T> value) => Vec.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Min(Vector256<T> left, Vector256<T> right) => Vec.MinNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Max(Vector256<T> left, Vector256<T> right) => Vec.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sqrt(Vector256<T> value) => Vec.Sqrt(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LessThan(Vector256<T> left, Vector256<T> right) => Vec.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LessThanOrEqual(Vector256<T> left, Vector256<T> right) => Vec.LessThanOrEqual(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThan(Vector256<T> left, Vector256<T> right) => Vec.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> IsNaN(Vector256<T> value) => Vec.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Select(Vector256<T> mask, Vector256<T> ifTrue, Vector256<T> ifFalse) =>
        Vec.ConditionalSelect(mask, ifTrue, ifFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> CopySign(Vector256<T> magnitude, Vector256<T> sign) => Vec.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ScaleByPowerOfTwo(Vector256<T> value, Vector256<T> n) => PowerOfTwo.Scale<Vector256Ops<T>, Vector256<T>, T>(value, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> PowerOfTwoFromShifted(Vector256<T> shifted)
    {
        // The low mantissa bits hold n + 2^(m−1); adding the exponent bias and shifting left by m pushes the
        // magic bits out of the word and leaves the biased exponent of 2ⁿ.
        if (typeof(T) == typeof(float))
        {
            return Vec.ShiftLeft(shifted.AsInt32() + Vec.Create(127), 23).As<int, T>();
        }

        return Vec.ShiftLeft(shifted.AsInt64() + Vec.Create(1023L), 52).As<long, T>();
    }

    /// <summary>Halves added first: Vector256.Sum reduces each 128-bit half on its own, two more steps on the critical path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector256<T> value) => Vector128Ops<T>.Sum(value.GetLower() + value.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(Vector256<T> value) =>
        Vector128Ops<T>.MaxAcross(Vector128.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Decompose(Vector256<T> value, out Vector256<T> exponent)
    {
        // Offsetting the bits by those of √½ makes the arithmetic shift give k with m = value·2⁻ᵏ in [√½, √2).
        if (typeof(T) == typeof(float))
        {
            Vector256<int> k = Vec.ShiftRightArithmetic(value.AsInt32() - Vec.Create(0x3F3504F3), 23);
            exponent = Vec.ConvertToSingle(k).As<float, T>();
            return (value.AsInt32() - Vec.ShiftLeft(k, 23)).As<int, T>();
        }

        // k as double through the 1.5·2⁵² bias: cheaper than a 64-bit integer conversion below AVX-512.
        Vector256<long> k64 = Vec.ShiftRightArithmetic(value.AsInt64() - Vec.Create(0x3FE6A09E667F3BCDL), 52);
        exponent = ((k64 + Vec.Create(0x4338000000000000L)).AsDouble() - Vec.Create(6755399441055744.0)).As<double, T>();
        return (value.AsInt64() - Vec.ShiftLeft(k64, 52)).As<long, T>();
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

    public static Vector256<T> Permute16(Vector256<T> table, Vector256<T> selector) => throw new NotSupportedException("Permute16 needs sixteen lanes.");

    /// <summary>unpcklps/unpckhps interleave within each 128-bit half; vperm2f128 puts the halves in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector256<T> first, Vector256<T> second, out Vector256<T> lower, out Vector256<T> upper)
    {
        Vector256<T> low, high;
        if (typeof(T) == typeof(float))
        {
            low = Avx.UnpackLow(first.AsSingle(), second.AsSingle()).As<float, T>();
            high = Avx.UnpackHigh(first.AsSingle(), second.AsSingle()).As<float, T>();
        }
        else
        {
            low = Avx.UnpackLow(first.AsDouble(), second.AsDouble()).As<double, T>();
            high = Avx.UnpackHigh(first.AsDouble(), second.AsDouble()).As<double, T>();
        }

        lower = Avx.Permute2x128(low.AsSingle(), high.AsSingle(), 0x20).As<float, T>();
        upper = Avx.Permute2x128(low.AsSingle(), high.AsSingle(), 0x31).As<float, T>();
    }

    /// <summary>
    /// shufps (unpcklpd/unpckhpd for double) gathers each 128-bit half's firsts and seconds, in 64-bit pieces out of
    /// order across the halves; vpermpd puts the pieces in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector256<T> lower, Vector256<T> upper, out Vector256<T> first, out Vector256<T> second)
    {
        Vector256<double> firsts, seconds;
        if (typeof(T) == typeof(float))
        {
            // [l0 l2 u0 u2 | l4 l6 u4 u6] and [l1 l3 u1 u3 | l5 l7 u5 u7], as four 64-bit pieces each.
            firsts = Avx.Shuffle(lower.AsSingle(), upper.AsSingle(), 0b10_00_10_00).AsDouble();
            seconds = Avx.Shuffle(lower.AsSingle(), upper.AsSingle(), 0b11_01_11_01).AsDouble();
        }
        else
        {
            // [l0 u0 | l2 u2] and [l1 u1 | l3 u3].
            firsts = Avx.UnpackLow(lower.AsDouble(), upper.AsDouble());
            seconds = Avx.UnpackHigh(lower.AsDouble(), upper.AsDouble());
        }

        // Pieces 0, 2, 1, 3: the lower input's before the upper's.
        first = Avx2.Permute4x64(firsts, 0b11_01_10_00).As<double, T>();
        second = Avx2.Permute4x64(seconds, 0b11_01_10_00).As<double, T>();
    }
}
