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

    /// <summary>Identity in the registry (α unused): forward, backward from the input, and from the output.</summary>
    internal readonly struct IdentityKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Identity(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => IdentityBackward(x, dy, dx);

        public static bool SupportsBackwardFromOutput(double alpha) => true;

        public static void BackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => IdentityBackwardFromOutput(y, dy, dx);
    }
}
