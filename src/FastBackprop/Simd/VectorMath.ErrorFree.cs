namespace FastBackprop.Simd;

internal static partial class VectorMath
{
    /// <summary>
    /// a·b = product + error exactly (Dekker), without FMA: both factors are split by Veltkamp's method into halves
    /// of 12 (float) or 26 (double) bits whose partial products are exact. |a|, |b| must stay below 2¹⁰⁰.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec TwoProduct<TOps, TVec, T>(TVec a, TVec b, out TVec error)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec aHigh = SplitHigh<TOps, TVec, T>(a);
        TVec bHigh = SplitHigh<TOps, TVec, T>(b);
        TVec aLow = TOps.Subtract(a, aHigh);
        TVec bLow = TOps.Subtract(b, bHigh);
        TVec product = TOps.Multiply(a, b);
        TVec e = TOps.Subtract(TOps.Multiply(aHigh, bHigh), product);
        e = TOps.Add(e, TOps.Multiply(aHigh, bLow));
        e = TOps.Add(e, TOps.Multiply(aLow, bHigh));
        error = TOps.Add(e, TOps.Multiply(aLow, bLow));
        return product;
    }

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
