namespace FastBackprop.Simd;

/// <summary>
/// Elementary functions written once over <see cref="IVectorOps{TVec, T}"/>, so the scalar path and every vector
/// width share one algorithm (and results differ between paths only where FMA is missing).
/// </summary>
internal static partial class VectorMath
{
    /// <summary>A double constant as <typeparamref name="T"/>; folded by the JIT.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Constant<TOps, TVec, T>(double value)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TOps.Create(T.CreateTruncating(value));
}
