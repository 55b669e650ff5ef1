namespace FastBackprop.Simd;

/// <summary>
/// The loop of an element-wise loss that writes a gradient and sums a loss term per element: blocks of
/// <see cref="BlockLength"/> elements are summed in <c>T</c> lanes, and the blocks' sums in double, so a float
/// loss over millions of elements keeps the rounding of a 1024-element sum.
/// </summary>
internal static class LossDriver
{
    public const int BlockLength = 1024;

    /// <summary>Stores <c>op(a, b)</c> to <paramref name="destination"/> and returns the sum of the loss terms, in double.</summary>
    public static double Run<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination)
        where TOp : struct, ILossOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int blocks = a.Length / BlockLength;
        int done = blocks * BlockLength;
        double total = RowwiseDriver.Run(new BlockRow<TOp, T>(op), a, b, destination, blocks, BlockLength);
        return total + RowwiseDriver.Run(new BlockRow<TOp, T>(op), a[done..], b[done..], destination[done..], 1, a.Length - done);
    }

    /// <summary>One block as one row.</summary>
    private readonly struct BlockRow<TOp, T>(TOp op) : IRowOperator<T>
        where TOp : struct, ILossOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T a, ref T b, ref T destination, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            double.CreateTruncating(RowwiseDriver.MapSum<TOp, T, TOps, TVec>(op, ref a, ref b, ref destination, cols));
    }
}
