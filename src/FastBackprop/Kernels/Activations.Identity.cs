namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Identity, element-wise: <c>y = x</c> (a linear output layer). <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Identity<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        x.CopyTo(y);
    }

    /// <summary>Identity backward: <c>dx = dy</c> (f′ = 1). <paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void IdentityBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        dy.CopyTo(dx);
    }

    /// <summary>Identity backward from the output: <c>dx = dy</c>.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void IdentityBackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        dy.CopyTo(dx);
    }
}
