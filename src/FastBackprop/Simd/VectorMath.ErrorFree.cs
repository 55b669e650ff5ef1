namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// a·b = product + error exactly: the error is FMA(a, b, −product) where <see cref="IVectorOps{TVec, T}.MultiplyAdd"/>
    /// is fused, else Dekker's product of Veltkamp halves of 12 (float) or 26 (double) bits, whose partial products
    /// are exact. |a|, |b| must stay below 2¹⁰⁰ (the split's 4097·a must not overflow).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec TwoProduct<TOps, TVec, T>(TVec a, TVec b, out TVec error)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec product = TOps.Multiply(a, b);
        if (MultiplyAddIsFused)
        {
            error = TOps.MultiplyAdd(a, b, TOps.Negate(product));
            return product;
        }

        TVec aHigh = SplitHigh<TOps, TVec, T>(a);
        TVec bHigh = SplitHigh<TOps, TVec, T>(b);
        TVec aLow = TOps.Subtract(a, aHigh);
        TVec bLow = TOps.Subtract(b, bHigh);
        TVec e = TOps.Subtract(TOps.Multiply(aHigh, bHigh), product);
        e = TOps.Add(e, TOps.Multiply(aHigh, bLow));
        e = TOps.Add(e, TOps.Multiply(aLow, bHigh));
        error = TOps.Add(e, TOps.Multiply(aLow, bLow));
        return product;
    }

    /// <summary>
    /// p − q·s exactly, for a quotient q ≈ p/s rounded (the residual of a division, which fits the format): one fused
    /// multiply-add, or p − q·s with q·s as an exact <see cref="TwoProduct"/> (p − (q·s)ₕ is exact by Sterbenz).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec DivisionResidual<TOps, TVec, T>(TVec p, TVec q, TVec s)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (MultiplyAddIsFused)
        {
            return TOps.MultiplyAdd(TOps.Negate(q), s, p);
        }

        TVec product = TwoProduct<TOps, TVec, T>(q, s, out TVec productError);
        return TOps.Subtract(TOps.Subtract(p, product), productError);
    }

    /// <summary>
    /// Whether <see cref="IVectorOps{TVec, T}.MultiplyAdd"/> rounds once (a JIT-time constant): the path table's FMA
    /// column, <see cref="SimdInfo.MultiplyAddIsFused"/>. The x86 paths fuse where FMA is enabled (DOTNET_EnableAVX=0 or
    /// DOTNET_EnableHWIntrinsic=0 leave a multiply and an add); Arm64 always fuses, even with DOTNET_EnableHWIntrinsic=0
    /// (scalar fmadd is base Armv8; seen under qemu, where <c>AdvSimd.IsSupported</c> is false but
    /// <see cref="ScalarOps{T}.MultiplyAdd"/> rounds once); a <c>-nofma</c> path never fuses.
    /// </summary>
    public static bool MultiplyAddIsFused => Dispatch.Fused;

    /// <summary>a + b = sum + error exactly (Knuth's two-sum, no ordering of |a| and |b| needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec TwoSum<TOps, TVec, T>(TVec a, TVec b, out TVec error)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec sum = TOps.Add(a, b);
        TVec bVirtual = TOps.Subtract(sum, a);
        TVec aVirtual = TOps.Subtract(sum, bVirtual);
        error = TOps.Add(TOps.Subtract(a, aVirtual), TOps.Subtract(b, bVirtual));
        return sum;
    }

    /// <summary>The high half of Veltkamp's split: x rounded to 12 (float) or 26 (double) significant bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec SplitHigh<TOps, TVec, T>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec scaled = TOps.Multiply(x, Constant<TOps, TVec, T>(typeof(T) == typeof(float) ? 4097.0 : 134217729.0));
        return TOps.Subtract(scaled, TOps.Subtract(scaled, x));
    }
}
