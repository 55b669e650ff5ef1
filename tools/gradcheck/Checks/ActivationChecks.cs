using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>
/// Activation functions: every entry of <see cref="ActivationInfo.All"/> from the input (named by its registry name)
/// and, where its entry has one, from the output; and the saturated tails.
/// </summary>
public static class ActivationChecks
{
    /// <summary>Float forward bound for elementwise activations: measured ≤ 2 ULP (exp to ≈ 1 ULP, one division), with margin.</summary>
    private const double ForwardUlp = 8;

    /// <summary>Distance kept from a kink (ReLU, LeakyReLU and ELU at 0): far beyond ε, so no difference straddles it.</summary>
    private const double KinkMargin = 0.1;

    public static IEnumerable<CheckDefinition> All =>
        ActivationInfo.All.SelectMany(info => (IEnumerable<CheckDefinition>)[.. Checks(info), .. Tails(info.Kind)]);

    /// <summary>
    /// Where each activation is checked: x in an interval that reaches where it bends or saturates, or, for one with
    /// a kink at 0 (and for any activation not listed here), |x| ∈ [<see cref="KinkMargin"/>, 4] on both sides.
    /// </summary>
    private static (double Low, double High)? Interval(ActivationKind kind) => kind switch
    {
        ActivationKind.Identity or ActivationKind.Tanh => (-4, 4),
        ActivationKind.Sigmoid => (-8, 8),
        ActivationKind.GeluTanh or ActivationKind.GeluErf => (-6, 6),
        ActivationKind.Silu => (-10, 10),
        ActivationKind.Softplus or ActivationKind.LogSigmoid => (-20, 20),
        _ => null,
    };

    /// <summary>The backward from the input, and from the output where the entry has one, on the activation's inputs.</summary>
    private static IEnumerable<CheckDefinition> Checks(ActivationInfo info)
    {
        yield return Check(info.Name, info.Default, fromOutput: false);
        if (info.SupportsBackwardFromOutput(info.DefaultAlpha))
        {
            yield return Check(info.Name + "-from-output", info.Default, fromOutput: true);
        }
    }

    private static IEnumerable<CheckDefinition> Tails(ActivationKind kind) => kind switch
    {
        ActivationKind.Sigmoid =>
            [Tail("sigmoid-tail", Activation.Sigmoid, 20, 50, 1, "|x| ∈ [20, 50], where σ rounds to 1 in float past 17.3; reference σ(x) − 1 = −σ(−x) for x > 0")],
        ActivationKind.Tanh =>
            [Tail("tanh-tail", Activation.Tanh, 10, 25, 2, "|x| ∈ [10, 25], where tanh rounds to ±1 in float past 9.0; reference tanh(x) ∓ 1 = ∓2σ(∓2x)")],
        ActivationKind.LogSigmoid => [LogSigmoidTail()],
        _ => [],
    };

    private static CheckDefinition Check(string kernel, Activation activation, bool fromOutput)
    {
        var op = new ActivationOp(activation, fromOutput);
        string direction = fromOutput ? ", backward from y" : "";
        return Interval(activation.Kind) is (double low, double high)
            ? new(kernel, "activations", shapes => Case(kernel, op, Data.Uniform(Data.Random(shapes, kernel), shapes.Size, low, high), FormattableString.Invariant($"x ∈ [{low}, {high}]") + direction))
            : new(kernel, "activations", shapes => Case(
                kernel,
                op,
                Data.BothSigns(Data.Random(shapes, kernel), shapes.Size, KinkMargin, 4),
                FormattableString.Invariant($"|x| ∈ [{KinkMargin}, 4]: the kink at 0 is avoided") + direction));
    }

    private static CheckCase Case(string kernel, GradOp op, double[] x, string note) => new()
    {
        Kernel = kernel,
        Group = "activations",
        Op = op,
        Inputs = [new("x", x)],
        OutputLength = x.Length,
        Note = note,
        FloatTolerance = Tolerances.FloatElementwise,
        ForwardUlpLimit = ForwardUlp,
    };

    /// <summary>
    /// The saturated tails, where f(x) = ±1 − s·σ(−scale·|x|) (σ itself: scale 1, s = 1, lower level 0; tanh: scale 2,
    /// s = 2, levels ±1). In double f itself rounds to its level and has no difference left to take far out, while
    /// σ(−scale·|x|) keeps every digit: the reference is that tail term with the sign of the side, which has the
    /// same derivative. The step never crosses 0 here, so each side is smooth.
    /// </summary>
    private static CheckDefinition Tail(string kernel, Activation activation, double low, double high, double scale, string note) =>
        new(kernel, "activations", shapes =>
        {
            CheckCase check = Case(kernel, new ActivationOp(activation, false), Data.BothSigns(Data.Random(shapes, kernel), shapes.Size, low, high), note);
            return check with
            {
                FloatTolerance = Tolerances.FloatTail,
                Reference = (inputs, output) =>
                {
                    double[] x = inputs[0];
                    double[] scaled = [.. x.Select(v => -scale * Math.Abs(v))];
                    Activations.Sigmoid<double>(scaled, output);
                    for (int i = 0; i < output.Length; i++)
                    {
                        output[i] = scale * (x[i] > 0 ? -output[i] : output[i]);
                    }
                },
            };
        });

    /// <summary>
    /// Log-sigmoid where σ(x) rounds to 1 in float (x ∈ [20, 50]): f′ = σ(−x) runs from 2e−9 down to 2e−22, and a
    /// derivative formed as 1 − σ(x) is 0 there. f ≈ −e⁻ˣ keeps every digit in double, so the double forward is its
    /// own reference; the float tolerance is purely relative, as for the other tails.
    /// </summary>
    private static CheckDefinition LogSigmoidTail() =>
        new("log-sigmoid-tail", "activations", shapes => Case(
            "log-sigmoid-tail",
            new ActivationOp(Activation.LogSigmoid, false),
            Data.Uniform(Data.Random(shapes, "log-sigmoid-tail"), shapes.Size, 20, 50),
            "x ∈ [20, 50], where σ(x) rounds to 1 in float past 17.3 and f′ = σ(−x) = 1 − σ(x) must not be formed by subtraction") with
        {
            FloatTolerance = Tolerances.FloatTail,
        });

    /// <summary>y = f(x); dx = dy ⊙ f′ from the input x, or from the output y.</summary>
    public sealed class ActivationOp(Activation activation, bool fromOutput) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.Forward<T>(activation, inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            if (fromOutput)
            {
                Activations.BackwardFromOutput<T>(activation, output, upstream, gradients[0]);
            }
            else
            {
                Activations.Backward<T>(activation, inputs[0], upstream, gradients[0]);
            }
        }
    }
}
