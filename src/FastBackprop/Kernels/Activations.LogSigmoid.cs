using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Log-sigmoid, element-wise: <c>y = ln σ(x) = −softplus(−x) = min(x, 0) − log1p(exp(−|x|))</c>.</summary>
    /// <remarks>
    /// Never overflows: y = x for x ≪ 0 (x ≲ −17 in float), y ≈ −e⁻ˣ with relative accuracy for x ≫ 0.
    /// LogSigmoid(−∞) = −∞, logSigmoid(+∞) = 0, NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void LogSigmoid<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(LogSigmoidOperator<T>), x, y);
    }

    /// <summary>Log-sigmoid backward from the input: <c>dx = dy ⊙ σ(−x)</c> (= 1 − σ(x), never formed by subtraction).</summary>
    /// <remarks><paramref name="dx"/> may be <paramref name="x"/> or <paramref name="dy"/> itself.</remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void LogSigmoidBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(LogSigmoidBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>Log-sigmoid in the registry (α unused): forward and backward from the input; f′ is not a function of y.</summary>
    internal readonly struct LogSigmoidKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => LogSigmoid(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => LogSigmoidBackward(x, dy, dx);
    }

    /// <summary>y = min(0, x) − log1p(e^(−|x|)).</summary>
    internal readonly struct LogSigmoidOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec tail = VectorMath.Log1p<TOps, TVec, T>(VectorMath.ExpOfNonPositive<TOps, TVec, T>(TOps.Negate(TOps.Abs(x))));
            return TOps.Subtract(TOps.Min(TOps.Create(T.Zero), x), tail);
        }
    }

    /// <summary>dx = dy · σ(−x).</summary>
    internal readonly struct LogSigmoidBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(dy, VectorMath.Sigmoid<TOps, TVec, T>(TOps.Negate(x)));
    }
}
