namespace FastBackprop;

public static partial class Activations
{
    /// <summary>Forward of any <see cref="ActivationKind"/>: <c>y = f(x)</c>, element-wise, by the op's own method.</summary>
    /// <param name="activation">The function and its α.</param>
    /// <param name="x">Input, length n.</param>
    /// <param name="y">Output, length n; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">The kind is not defined, the lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Forward<T>(Activation activation, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation.Kind)
        {
            case ActivationKind.Identity: Identity(x, y); break;
            case ActivationKind.Sigmoid: Sigmoid(x, y); break;
            case ActivationKind.Tanh: Tanh(x, y); break;
            case ActivationKind.Relu: Relu(x, y); break;
            case ActivationKind.LeakyRelu: LeakyRelu(x, T.CreateTruncating(activation.Alpha), y); break;
            case ActivationKind.Elu: Elu(x, T.CreateTruncating(activation.Alpha), y); break;
            case ActivationKind.GeluTanh: GeluTanh(x, y); break;
            case ActivationKind.GeluErf: GeluErf(x, y); break;
            case ActivationKind.Silu: Silu(x, y); break;
            case ActivationKind.Softplus: Softplus(x, y); break;
            default: throw UnknownKind(activation, nameof(activation));
        }
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
        switch (activation.Kind)
        {
            case ActivationKind.Identity: IdentityBackward(x, dy, dx); break;
            case ActivationKind.Sigmoid: SigmoidBackward(x, dy, dx); break;
            case ActivationKind.Tanh: TanhBackward(x, dy, dx); break;
            case ActivationKind.Relu: ReluBackward(x, dy, dx); break;
            case ActivationKind.LeakyRelu: LeakyReluBackward(x, dy, T.CreateTruncating(activation.Alpha), dx); break;
            case ActivationKind.Elu: EluBackward(x, dy, T.CreateTruncating(activation.Alpha), dx); break;
            case ActivationKind.GeluTanh: GeluTanhBackward(x, dy, dx); break;
            case ActivationKind.GeluErf: GeluErfBackward(x, dy, dx); break;
            case ActivationKind.Silu: SiluBackward(x, dy, dx); break;
            case ActivationKind.Softplus: SoftplusBackward(x, dy, dx); break;
            default: throw UnknownKind(activation, nameof(activation));
        }
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

        switch (activation.Kind)
        {
            case ActivationKind.Identity: IdentityBackwardFromOutput(y, dy, dx); break;
            case ActivationKind.Sigmoid: SigmoidBackwardFromOutput(y, dy, dx); break;
            case ActivationKind.Tanh: TanhBackwardFromOutput(y, dy, dx); break;
            case ActivationKind.Relu: ReluBackwardFromOutput(y, dy, dx); break;
            default: EluBackwardFromOutput(y, dy, T.CreateTruncating(activation.Alpha), dx); break;
        }
    }

    private static ArgumentException UnknownKind(Activation activation, string name) =>
        new($"{activation.Kind} is not an ActivationKind this version knows.", name);
}
