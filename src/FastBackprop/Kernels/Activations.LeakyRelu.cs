using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Leaky ReLU, element-wise: <c>y = x</c> for <c>x &gt; 0</c>, <c>α·x</c> otherwise.</summary>
    /// <remarks>NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void LeakyRelu<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(new LeakyReluOperator<T>(alpha), x, y);
    }

    /// <summary>Leaky ReLU backward from the input: <c>dx = dy</c> where <c>x &gt; 0</c>, else <c>α·dy</c> (f′(0) = α, the left derivative, as ReLU′(0) = 0).</summary>
    /// <remarks><paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(new LeakyReluBackwardOperator<T>(alpha), x, dy, dx);
    }

    /// <summary>Leaky ReLU in the registry: forward and backward from the input; f′ is not a function of y.</summary>
    internal readonly struct LeakyReluKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => LeakyRelu(x, alpha, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => LeakyReluBackward(x, dy, alpha, dx);
    }

    /// <summary>y = x &gt; 0 ? x : α·x (NaN takes the α·x branch and stays NaN).</summary>
    internal readonly struct LeakyReluOperator<T>(T alpha) : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.Select(TOps.GreaterThan(x, TOps.Create(T.Zero)), x, TOps.Multiply(x, TOps.Create(_alpha)));
    }

    /// <summary>dx = x &gt; 0 ? dy : α·dy.</summary>
    internal readonly struct LeakyReluBackwardOperator<T>(T alpha) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.Select(TOps.GreaterThan(x, TOps.Create(T.Zero)), dy, TOps.Multiply(dy, TOps.Create(_alpha)));
    }
}
