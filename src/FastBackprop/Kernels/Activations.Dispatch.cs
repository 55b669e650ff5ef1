namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Forward of any <see cref="ActivationKind"/>: <c>y = f(x)</c>, element-wise, by the op's own method (its <see cref="ActivationInfo"/> entry).</summary>
    /// <param name="activation">The function and its α.</param>
    /// <param name="x">Input, length n.</param>
    /// <param name="y">Output, length n; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">The kind is not defined, the lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Forward<T>(Activation activation, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Entry(activation).Kernels<T>().Forward(x, T.CreateTruncating(activation.Alpha), y);
    }

    /// <summary>Backward from the input of any <see cref="ActivationKind"/>: <c>dx = dy ⊙ f′(x)</c>.</summary>
    /// <param name="activation">The function and its α.</param>
    /// <param name="x">The forward's input, length n.</param>
    /// <param name="dy">Gradient of the loss with respect to y, length n.</param>
    /// <param name="dx">Gradient with respect to x, length n; may be <paramref name="x"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException">The kind is not defined, the lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void Backward<T>(Activation activation, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Entry(activation).Kernels<T>().Backward(x, dy, T.CreateTruncating(activation.Alpha), dx);
    }

    /// <summary>
    /// Backward from the output, for the kinds where <see cref="Activation.SupportsBackwardFromOutput"/> holds:
    /// <c>dx = dy ⊙ f′(f⁻¹(y))</c>. Prefer <see cref="Backward"/> where x is at hand: it stays accurate where y saturates.
    /// </summary>
    /// <param name="activation">The function and its α.</param>
    /// <param name="y">The forward's output, length n.</param>
    /// <param name="dy">Gradient of the loss with respect to y, length n.</param>
    /// <param name="dx">Gradient with respect to x, length n; may be <paramref name="y"/> or <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentException">
    /// The activation does not support it (checked first), the lengths differ, or <paramref name="dx"/> partially overlaps an input.
    /// </exception>
    public static void BackwardFromOutput<T>(Activation activation, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!activation.SupportsBackwardFromOutput)
        {
            throw new ArgumentException(
                $"{activation} has no backward from the output (f′ is not a function of y); use Backward with the input x.",
                nameof(activation));
        }

        Guard.SupportedType<T>();
        Entry(activation).Kernels<T>().BackwardFromOutput(y, dy, T.CreateTruncating(activation.Alpha), dx);
    }

    /// <summary>The registry's entry of <paramref name="activation"/>'s kind; an undefined kind is an error naming <c>activation</c>.</summary>
    private static ActivationInfo Entry(Activation activation) =>
        ActivationInfo.TryGet(activation.Kind, out ActivationInfo? info)
            ? info
            : throw new ArgumentException($"{activation.Kind} is not an ActivationKind this version knows.", nameof(activation));
}
