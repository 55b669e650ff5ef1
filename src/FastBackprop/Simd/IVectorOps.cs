namespace FastBackprop.Simd;

/// <summary>
/// The arithmetic of one SIMD width over elements of <typeparamref name="T"/> (float or double), as static
/// members so that an operator or a vector-math routine is written once, generic over <typeparamref name="TVec"/>,
/// and the JIT specialises it per width (<see cref="ScalarOps{T}"/> makes <c>TVec = T</c>, one element).
/// </summary>
/// <remarks>
/// Masks are vectors of <typeparamref name="T"/> whose lanes are all-ones (true) or all-zeros (false).
/// <see cref="MultiplyAdd"/> is fused where the hardware has FMA and is a multiply then an add where it has not
/// (SSE-only x86): every algorithm built on it must be accurate either way.
/// Hot-loop rule: every member is <c>AggressiveInlining</c>; a call that is not inlined spills vectors to the stack.
/// </remarks>
internal interface IVectorOps<TVec, T>
    where TVec : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    static abstract TVec Load(ref readonly T source);

    static abstract void Store(TVec value, ref T destination);

    static abstract TVec Create(T value);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Multiply(TVec left, TVec right);

    static abstract TVec Divide(TVec left, TVec right);

    /// <summary><c>a·b + c</c>, fused where the hardware can.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    static abstract TVec Negate(TVec value);

    static abstract TVec Abs(TVec value);

    /// <summary>Lane-wise minimum. NaN in <paramref name="right"/> gives NaN; NaN only in <paramref name="left"/> gives either (x86 and Arm differ).</summary>
    static abstract TVec Min(TVec left, TVec right);

    /// <summary>Lane-wise maximum. NaN in <paramref name="right"/> gives NaN; NaN only in <paramref name="left"/> gives either (x86 and Arm differ).</summary>
    static abstract TVec Max(TVec left, TVec right);

    static abstract TVec Sqrt(TVec value);

    /// <summary>Mask of lanes where <c>left &lt; right</c> (false for NaN).</summary>
    static abstract TVec LessThan(TVec left, TVec right);

    /// <summary>Mask of lanes where <c>left &lt;= right</c> (false for NaN).</summary>
    static abstract TVec LessThanOrEqual(TVec left, TVec right);

    /// <summary>Mask of lanes where <c>left &gt; right</c> (false for NaN).</summary>
    static abstract TVec GreaterThan(TVec left, TVec right);

    /// <summary>Mask of NaN lanes.</summary>
    static abstract TVec IsNaN(TVec value);

    /// <summary><c>mask ? ifTrue : ifFalse</c> lane by lane.</summary>
    static abstract TVec Select(TVec mask, TVec ifTrue, TVec ifFalse);

    /// <summary>Copies the sign bit of <paramref name="sign"/> onto <paramref name="magnitude"/>.</summary>
    static abstract TVec CopySign(TVec magnitude, TVec sign);

    /// <summary>
    /// <c>value · 2ⁿ</c> for integral <paramref name="n"/> with |n| ≤ 252 (float) or 2044 (double), rounded once: overflow gives ±∞ and
    /// results below the normal range are subnormal or zero, as for an exact product.
    /// </summary>
    static abstract TVec ScaleByPowerOfTwo(TVec value, TVec n);

    /// <summary>
    /// <c>2ⁿ</c> from <c>shifted = n + 1.5·2^m</c> (m = mantissa bits), the sum that leaves integral n in the low
    /// mantissa bits. Valid for n in the normal exponent range (float −126..127, double −1022..1023).
    /// </summary>
    static abstract TVec PowerOfTwoFromShifted(TVec shifted);

    /// <summary>Sum of the lanes.</summary>
    static abstract T Sum(TVec value);

    /// <summary>Maximum of the lanes; a NaN lane may or may not give NaN (the native max, as <see cref="Max"/>).</summary>
    static abstract T MaxAcross(TVec value);

    /// <summary>
    /// Splits a positive, normal, finite value into <c>m·2ᵏ</c> with m in [√½, √2): returns m and sets
    /// <paramref name="exponent"/> to k (integral). Other inputs give unspecified lanes.
    /// </summary>
    static abstract TVec Decompose(TVec value, out TVec exponent);

    /// <summary>
    /// Whether <see cref="ScaleByPowerOfTwo"/> is one instruction (AVX-512's vscalef) rather than two multiplies by
    /// built powers: algorithms that scale twice to save a compare and a blend pick their form by it.
    /// </summary>
    static abstract bool HasScaleInstruction { get; }

    /// <summary>Whether <see cref="Permute16"/> exists: sixteen lanes and a variable permute (AVX-512's vpermps on float).</summary>
    static abstract bool HasPermute16 { get; }

    /// <summary>
    /// A sixteen-entry table lookup in one instruction: lane i of the result is lane (bits of
    /// <paramref name="selector"/>'s lane i) mod 16 of <paramref name="table"/>. Only where <see cref="HasPermute16"/>.
    /// </summary>
    static abstract TVec Permute16(TVec table, TVec selector);

    /// <summary>
    /// The lanes of <paramref name="first"/> and <paramref name="second"/> alternated: stored one after the other,
    /// <paramref name="lower"/> then <paramref name="upper"/> hold first[0], second[0], first[1], second[1], … — the
    /// row-major block of two columns.
    /// </summary>
    static abstract void Interleave(TVec first, TVec second, out TVec lower, out TVec upper);

    /// <summary>
    /// The inverse of <see cref="Interleave"/>: from <paramref name="lower"/> then <paramref name="upper"/> holding
    /// pairs side by side (a row-major block of two columns), <paramref name="first"/> gets each pair's first value
    /// and <paramref name="second"/> its second.
    /// </summary>
    static abstract void Deinterleave(TVec lower, TVec upper, out TVec first, out TVec second);
}
