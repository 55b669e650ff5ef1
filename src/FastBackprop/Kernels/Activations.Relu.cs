using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Rectified linear unit, element-wise: <c>y = max(0, x)</c>.</summary>
    /// <remarks>NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(ReluOperator<T>), x, y);
    }

    /// <summary>ReLU backward from the input: <c>dx = dy</c> where <c>x &gt; 0</c>, else 0 (ReLU′(0) = 0).</summary>
    /// <remarks>A NaN x gives 0, as the comparison x &gt; 0 is false. <paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void ReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(ReluBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>ReLU backward from the output: <c>dx = dy</c> where <c>y &gt; 0</c>, else 0 (y &gt; 0 exactly when x &gt; 0).</summary>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void ReluBackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(ReluBackwardOperator<T>), y, dy, dx);
    }

    /// <summary>ReLU in the registry (α unused): forward, backward from the input, and from the output.</summary>
    internal readonly struct ReluKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Relu(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => ReluBackward(x, dy, dx);

        public static bool SupportsBackwardFromOutput(double alpha) => true;

        public static void BackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => ReluBackwardFromOutput(y, dy, dx);
    }

    /// <summary>y = max(0, x), x as the right operand so NaN propagates.</summary>
    internal readonly struct ReluOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Max(TOps.Create(T.Zero), x);
    }

    /// <summary>dx = v &gt; 0 ? dy : 0, for v = x or v = y (the same sign test).</summary>
    internal readonly struct ReluBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Select(TOps.GreaterThan(x, TOps.Create(T.Zero)), dy, TOps.Create(T.Zero));
    }
}
