namespace FastBackprop.Simd;

/// <summary>0, 1, 2, … as <typeparamref name="T"/>, one per lane of the widest vector: what a mask of a vector's first
/// or last lanes compares against.</summary>
internal static class LaneIndex<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly T[] Values = [.. Enumerable.Range(0, 64).Select(T.CreateTruncating)];
}
