using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Exponential linear unit, element-wise: <c>y = x</c> for <c>x &gt; 0</c>, <c>α·(eˣ − 1)</c> otherwise.</summary>
    /// <remarks>
    /// eˣ − 1 is computed by expm1, so small negative x keeps its relative accuracy. ELU(−∞) = −α, NaN → NaN.
    /// <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Elu<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(new EluOperator<T>(alpha), x, y);
    }

    /// <summary>ELU backward from the input: <c>dx = dy</c> where <c>x &gt; 0</c>, else <c>dy·α·eˣ</c> (f′(0) = α, the left derivative).</summary>
    /// <remarks><paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void EluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(new EluBackwardOperator<T>(alpha), x, dy, dx);
    }

    /// <summary>ELU backward from the output: <c>dx = dy</c> where <c>y &gt; 0</c>, else <c>dy·(y + α)</c> (α·eˣ = y + α).</summary>
    /// <remarks>
    /// Valid for α &gt; 0 (then y &gt; 0 exactly when x &gt; 0). Loses relative accuracy where y is close to −α (x ≪ 0),
    /// as y + α cancels; <see cref="EluBackward"/> does not.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void EluBackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(new EluBackwardFromOutputOperator<T>(alpha), y, dy, dx);
    }

    /// <summary>ELU in the registry: forward, backward from the input, and from the output where α &gt; 0.</summary>
    internal readonly struct EluKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => Elu(x, alpha, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => EluBackward(x, dy, alpha, dx);

        public static bool SupportsBackwardFromOutput(double alpha) => alpha > 0;

        public static void BackwardFromOutput<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => EluBackwardFromOutput(y, dy, alpha, dx);
    }

    /// <summary>y = x &gt; 0 ? x : α·expm1(x).</summary>
    internal readonly struct EluOperator<T>(T alpha) : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.Select(
                TOps.GreaterThan(x, TOps.Create(T.Zero)),
                x,
                TOps.Multiply(TOps.Create(_alpha), VectorMath.Expm1<TOps, TVec, T>(x)));
    }

    /// <summary>dx = dy · (x &gt; 0 ? 1 : α·eˣ).</summary>
    internal readonly struct EluBackwardOperator<T>(T alpha) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec slope = TOps.Multiply(TOps.Create(_alpha), VectorMath.Exp<TOps, TVec, T>(x));
            return TOps.Multiply(dy, TOps.Select(TOps.GreaterThan(x, TOps.Create(T.Zero)), TOps.Create(T.One), slope));
        }
    }

    /// <summary>dx = dy · (y &gt; 0 ? 1 : y + α).</summary>
    internal readonly struct EluBackwardFromOutputOperator<T>(T alpha) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly T _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec y, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.Multiply(
                dy,
                TOps.Select(TOps.GreaterThan(y, TOps.Create(T.Zero)), TOps.Create(T.One), TOps.Add(y, TOps.Create(_alpha))));
    }
}
