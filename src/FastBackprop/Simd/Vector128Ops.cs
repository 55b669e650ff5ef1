using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

using Vec = System.Runtime.Intrinsics.Vector128;

namespace FastBackprop.Simd;

/// <summary>128-bit vectors (SSE4.2 on x86-64 (AVX when present), NEON on Arm64).</summary>
internal readonly struct Vector128Ops<T> : IVectorOps<Vector128<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<T>.Count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(ref readonly T source) => Vec.LoadUnsafe(in source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<T> value, ref T destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Create(T value) => Vec.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> left, Vector128<T> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Subtract(Vector128<T> left, Vector128<T> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Multiply(Vector128<T> left, Vector128<T> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Divide(Vector128<T> left, Vector128<T> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        // The -nofma rows of the path table: a multiply and an add, each rounded, even where the hardware fuses.
        if (!Dispatch.Fused)
        {
            return (a * b) + c;
        }

        if (typeof(T) == typeof(float))
        {
            return Vec.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        return Vec.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Negate(Vector128<T> value) => -value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Abs(Vector128<T> value) => Vec.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Min(Vector128<T> left, Vector128<T> right) => Vec.MinNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Max(Vector128<T> left, Vector128<T> right) => Vec.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Sqrt(Vector128<T> value) => Vec.Sqrt(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LessThan(Vector128<T> left, Vector128<T> right) => Vec.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LessThanOrEqual(Vector128<T> left, Vector128<T> right) => Vec.LessThanOrEqual(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThan(Vector128<T> left, Vector128<T> right) => Vec.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> IsNaN(Vector128<T> value) => Vec.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Select(Vector128<T> mask, Vector128<T> ifTrue, Vector128<T> ifFalse) =>
        Vec.ConditionalSelect(mask, ifTrue, ifFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CopySign(Vector128<T> magnitude, Vector128<T> sign) => Vec.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ScaleByPowerOfTwo(Vector128<T> value, Vector128<T> n) => PowerOfTwo.Scale<Vector128Ops<T>, Vector128<T>, T>(value, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> PowerOfTwoFromShifted(Vector128<T> shifted)
    {
        // The low mantissa bits hold n + 2^(m−1); adding the exponent bias and shifting left by m pushes the
        // magic bits out of the word and leaves the biased exponent of 2ⁿ.
        if (typeof(T) == typeof(float))
        {
            return Vec.ShiftLeft(shifted.AsInt32() + Vec.Create(127), 23).As<int, T>();
        }

        return Vec.ShiftLeft(shifted.AsInt64() + Vec.Create(1023L), 52).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector128<T> value) => Vec.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(Vector128<T> value)
    {
        // Two (float) or one (double) swap-and-max steps with the native max (maxps, fmax): the IEEE Vector128.Max
        // costs three instructions a step on x86 for a NaN that the callers do not need.
        if (typeof(T) == typeof(float))
        {
            Vector128<float> v = value.AsSingle();
            v = Vec.MaxNative(v, Vec.Shuffle(v, Vec.Create(2, 3, 0, 1)));
            v = Vec.MaxNative(v, Vec.Shuffle(v, Vec.Create(1, 0, 3, 2)));
            return v.As<float, T>().ToScalar();
        }

        Vector128<double> d = value.AsDouble();
        return Vec.MaxNative(d, Vec.Shuffle(d, Vec.Create(1L, 0L))).As<double, T>().ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Decompose(Vector128<T> value, out Vector128<T> exponent)
    {
        // Offsetting the bits by those of √½ makes the arithmetic shift give k with m = value·2⁻ᵏ in [√½, √2).
        if (typeof(T) == typeof(float))
        {
            Vector128<int> k = Vec.ShiftRightArithmetic(value.AsInt32() - Vec.Create(0x3F3504F3), 23);
            exponent = Vec.ConvertToSingle(k).As<float, T>();
            return (value.AsInt32() - Vec.ShiftLeft(k, 23)).As<int, T>();
        }

        // k as double through the 1.5·2⁵² bias: cheaper than a 64-bit integer conversion below AVX-512.
        Vector128<long> k64 = Vec.ShiftRightArithmetic(value.AsInt64() - Vec.Create(0x3FE6A09E667F3BCDL), 52);
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

    public static Vector128<T> Permute16(Vector128<T> table, Vector128<T> selector) => throw new NotSupportedException("Permute16 needs sixteen lanes.");

    /// <summary>unpcklps/unpckhps on x86, zip1/zip2 on Arm64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector128<T> first, Vector128<T> second, out Vector128<T> lower, out Vector128<T> upper)
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                lower = Sse.UnpackLow(first.AsSingle(), second.AsSingle()).As<float, T>();
                upper = Sse.UnpackHigh(first.AsSingle(), second.AsSingle()).As<float, T>();
            }
            else
            {
                lower = Sse2.UnpackLow(first.AsDouble(), second.AsDouble()).As<double, T>();
                upper = Sse2.UnpackHigh(first.AsDouble(), second.AsDouble()).As<double, T>();
            }
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                lower = AdvSimd.Arm64.ZipLow(first.AsSingle(), second.AsSingle()).As<float, T>();
                upper = AdvSimd.Arm64.ZipHigh(first.AsSingle(), second.AsSingle()).As<float, T>();
            }
            else
            {
                lower = AdvSimd.Arm64.ZipLow(first.AsDouble(), second.AsDouble()).As<double, T>();
                upper = AdvSimd.Arm64.ZipHigh(first.AsDouble(), second.AsDouble()).As<double, T>();
            }
        }
        else
        {
            Span<T> pairs = stackalloc T[2 * Vector128<T>.Count];
            for (int i = 0; i < Vector128<T>.Count; i++)
            {
                pairs[2 * i] = first.GetElement(i);
                pairs[(2 * i) + 1] = second.GetElement(i);
            }

            lower = Vec.Create<T>(pairs);
            upper = Vec.Create<T>(pairs[Vector128<T>.Count..]);
        }
    }

    /// <summary>shufps (unpcklpd/unpckhpd for double) on x86, uzp1/uzp2 on Arm64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector128<T> lower, Vector128<T> upper, out Vector128<T> first, out Vector128<T> second)
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                first = Sse.Shuffle(lower.AsSingle(), upper.AsSingle(), 0b10_00_10_00).As<float, T>();
                second = Sse.Shuffle(lower.AsSingle(), upper.AsSingle(), 0b11_01_11_01).As<float, T>();
            }
            else
            {
                first = Sse2.UnpackLow(lower.AsDouble(), upper.AsDouble()).As<double, T>();
                second = Sse2.UnpackHigh(lower.AsDouble(), upper.AsDouble()).As<double, T>();
            }
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                first = AdvSimd.Arm64.UnzipEven(lower.AsSingle(), upper.AsSingle()).As<float, T>();
                second = AdvSimd.Arm64.UnzipOdd(lower.AsSingle(), upper.AsSingle()).As<float, T>();
            }
            else
            {
                first = AdvSimd.Arm64.UnzipEven(lower.AsDouble(), upper.AsDouble()).As<double, T>();
                second = AdvSimd.Arm64.UnzipOdd(lower.AsDouble(), upper.AsDouble()).As<double, T>();
            }
        }
        else
        {
            int lanes = Vector128<T>.Count;
            Span<T> columns = stackalloc T[2 * lanes];
            for (int i = 0; i < lanes; i++)
            {
                T left = i < lanes / 2 ? lower.GetElement(2 * i) : upper.GetElement((2 * i) - lanes);
                T right = i < lanes / 2 ? lower.GetElement((2 * i) + 1) : upper.GetElement((2 * i) + 1 - lanes);
                columns[i] = left;
                columns[lanes + i] = right;
            }

            first = Vec.Create<T>(columns);
            second = Vec.Create<T>(columns[lanes..]);
        }
    }
}
