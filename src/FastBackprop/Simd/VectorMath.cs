namespace FastBackprop.Simd;

/// <summary>
/// Elementary functions written once over <see cref="IVectorOps{TVec, T}"/>, so the scalar path and every vector
/// width share one algorithm per <see cref="ExpAlgorithm"/> (results differ between paths only where the exp family's
/// algorithm or FMA differs; the path's row in <see cref="PathTable"/> says which).
/// </summary>
internal static partial class VectorMath
{
    /// <summary>A double constant as <typeparamref name="T"/> (rounded to float for float); folded by the JIT.</summary>
    /// <remarks>
    /// Rounded by a cast and reinterpreted, not by <c>T.CreateTruncating</c>: that inlines a chain of four generic
    /// conversions per constant, and the 18 constants of one exp then took a third of a four-row loop's limit of
    /// locals, leaving its stores as calls.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Constant<TOps, TVec, T>(double value)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TOps.Create(typeof(T) == typeof(float) ? Unsafe.BitCast<float, T>((float)value) : Unsafe.BitCast<double, T>(value));

    /// <summary>
    /// Whether this width runs the exp family as <see cref="ExpAlgorithm.SixteenthsTable"/> (a JIT-time constant): where
    /// sixteen lanes permute in one instruction, AVX-512 float; every other width runs
    /// <see cref="ExpAlgorithm.CodyWaitePolynomial"/>. The math branches on this name, never on a capability.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool UsesSixteenthsTable<TOps, TVec, T>()
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TOps.HasPermute16;
}
