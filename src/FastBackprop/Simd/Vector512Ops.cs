using System.Runtime.Intrinsics.X86;

using Vec = System.Runtime.Intrinsics.Vector512;

namespace FastBackprop.Simd;

/// <summary>512-bit vectors (AVX-512F).</summary>
internal readonly struct Vector512Ops<T> : IVectorOps<Vector512<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<T>.Count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref readonly T source) => Vec.LoadUnsafe(in source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, ref T destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Create(T value) => Vec.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> left, Vector512<T> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Subtract(Vector512<T> left, Vector512<T> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> left, Vector512<T> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Divide(Vector512<T> left, Vector512<T> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vec.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        return Vec.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Negate(Vector512<T> value) => -value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Abs(Vector512<T> value) => Vec.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Min(Vector512<T> left, Vector512<T> right) => Vec.MinNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Max(Vector512<T> left, Vector512<T> right) => Vec.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sqrt(Vector512<T> value) => Vec.Sqrt(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LessThan(Vector512<T> left, Vector512<T> right) => Vec.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LessThanOrEqual(Vector512<T> left, Vector512<T> right) => Vec.LessThanOrEqual(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThan(Vector512<T> left, Vector512<T> right) => Vec.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> IsNaN(Vector512<T> value) => Vec.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Select(Vector512<T> mask, Vector512<T> ifTrue, Vector512<T> ifFalse) =>
        Vec.ConditionalSelect(mask, ifTrue, ifFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> CopySign(Vector512<T> magnitude, Vector512<T> sign) => Vec.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ScaleByPowerOfTwo(Vector512<T> value, Vector512<T> n)
    {
        // vscalefps/pd: value · 2^⌊n⌋ in one instruction, with IEEE overflow and gradual underflow.
        if (typeof(T) == typeof(float))
        {
            return Avx512F.Scale(value.AsSingle(), n.AsSingle()).As<float, T>();
        }

        return Avx512F.Scale(value.AsDouble(), n.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> PowerOfTwoFromShifted(Vector512<T> shifted)
    {
        // The low mantissa bits hold n + 2^(m−1); adding the exponent bias and shifting left by m pushes the
        // magic bits out of the word and leaves the biased exponent of 2ⁿ.
        if (typeof(T) == typeof(float))
        {
            return Vec.ShiftLeft(shifted.AsInt32() + Vec.Create(127), 23).As<int, T>();
        }

        return Vec.ShiftLeft(shifted.AsInt64() + Vec.Create(1023L), 52).As<long, T>();
    }

    /// <summary>Halves added first: Vector512.Sum reduces each 128-bit block on its own (22 instructions instead of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector512<T> value) => Vector256Ops<T>.Sum(value.GetLower() + value.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(Vector512<T> value) =>
        Vector256Ops<T>.MaxAcross(Vector256.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Decompose(Vector512<T> value, out Vector512<T> exponent)
    {
        // Offsetting the bits by those of √½ makes the arithmetic shift give k with m = value·2⁻ᵏ in [√½, √2).
        if (typeof(T) == typeof(float))
        {
            Vector512<int> k = Vec.ShiftRightArithmetic(value.AsInt32() - Vec.Create(0x3F3504F3), 23);
            exponent = Vec.ConvertToSingle(k).As<float, T>();
            return (value.AsInt32() - Vec.ShiftLeft(k, 23)).As<int, T>();
        }

        // k as double through the 1.5·2⁵² bias: cheaper than a 64-bit integer conversion below AVX-512.
        Vector512<long> k64 = Vec.ShiftRightArithmetic(value.AsInt64() - Vec.Create(0x3FE6A09E667F3BCDL), 52);
        exponent = ((k64 + Vec.Create(0x4338000000000000L)).AsDouble() - Vec.Create(6755399441055744.0)).As<double, T>();
        return (value.AsInt64() - Vec.ShiftLeft(k64, 52)).As<long, T>();
    }

    public static bool HasScaleInstruction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => true;
    }

    public static bool HasPermute16
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => typeof(T) == typeof(float);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Permute16(Vector512<T> table, Vector512<T> selector)
    {
        if (typeof(T) == typeof(float))
        {
            return Avx512F.PermuteVar16x32(table.AsSingle(), selector.AsInt32()).As<float, T>();
        }

        throw new NotSupportedException("Permute16 needs sixteen lanes.");
    }

    /// <summary>vpermt2ps/pd: each output takes its lanes from both inputs by an index vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector512<T> first, Vector512<T> second, out Vector512<T> lower, out Vector512<T> upper)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            lower = Avx512F.PermuteVar16x32x2(first.AsSingle(), low, second.AsSingle()).As<float, T>();
            upper = Avx512F.PermuteVar16x32x2(first.AsSingle(), low + Vector512.Create(8), second.AsSingle()).As<float, T>();
        }
        else
        {
            Vector512<long> low = Vector512.Create(0L, 8, 1, 9, 2, 10, 3, 11);
            lower = Avx512F.PermuteVar8x64x2(first.AsDouble(), low, second.AsDouble()).As<double, T>();
            upper = Avx512F.PermuteVar8x64x2(first.AsDouble(), low + Vector512.Create(4L), second.AsDouble()).As<double, T>();
        }
    }

    /// <summary>vpermt2ps/pd with the even and the odd lane indices of the two inputs taken as one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector512<T> lower, Vector512<T> upper, out Vector512<T> first, out Vector512<T> second)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            first = Avx512F.PermuteVar16x32x2(lower.AsSingle(), evens, upper.AsSingle()).As<float, T>();
            second = Avx512F.PermuteVar16x32x2(lower.AsSingle(), evens + Vector512.Create(1), upper.AsSingle()).As<float, T>();
        }
        else
        {
            Vector512<long> evens = Vector512.Create(0L, 2, 4, 6, 8, 10, 12, 14);
            first = Avx512F.PermuteVar8x64x2(lower.AsDouble(), evens, upper.AsDouble()).As<double, T>();
            second = Avx512F.PermuteVar8x64x2(lower.AsDouble(), evens + Vector512.Create(1L), upper.AsDouble()).As<double, T>();
        }
    }
}
