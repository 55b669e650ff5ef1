namespace FastBackprop.Simd;

/// <summary>Scaling by 2ⁿ from exponent bits, for the widths without a scale instruction (all but AVX-512).</summary>
internal static class PowerOfTwo
{
    /// <summary>
    /// <c>value · 2ⁿ</c> as <c>value · 2^n₁ · 2^n₂</c> with n₁ = round(n/2) and n₂ = n − n₁: for |n| ≤ 252 (float) or
    /// 2044 (double) neither factor leaves the normal range, so only the last multiply rounds, overflowing to ∞ or underflowing gradually exactly as <c>value · 2ⁿ</c> would.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Scale<TOps, TVec, T>(TVec value, TVec n)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec magic = VectorMath.Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? 12582912.0 : 6755399441055744.0);
        TVec halfShifted = TOps.MultiplyAdd(n, VectorMath.Constant<TOps, TVec, T>(0.5), magic);
        TVec otherHalfShifted = TOps.Add(TOps.Subtract(n, TOps.Subtract(halfShifted, magic)), magic);
        return TOps.Multiply(
            TOps.Multiply(value, TOps.PowerOfTwoFromShifted(halfShifted)),
            TOps.PowerOfTwoFromShifted(otherHalfShifted));
    }
}
