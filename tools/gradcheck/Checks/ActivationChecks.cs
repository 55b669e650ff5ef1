using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>Activation functions: backward from the input, from the output, and in their saturated tails.</summary>
public static class ActivationChecks
{
    /// <summary>Float forward bound for elementwise activations: measured ≤ 2 ULP (exp to ≈ 1 ULP, one division), with margin.</summary>
    private const double ForwardUlp = 8;

    /// <summary>Distance kept from a kink (ReLU, LeakyReLU and ELU at 0): far beyond ε, so no difference straddles it.</summary>
    private const double KinkMargin = 0.1;

    public static IEnumerable<CheckDefinition> All =>
    [
        Elementwise("identity", Activation.Identity, -4, 4),
        Elementwise("sigmoid", new SigmoidOp(), -8, 8, "x ∈ [−8, 8]"),
        Elementwise("sigmoid-from-output", new SigmoidFromOutputOp(), -8, 8, "x ∈ [−8, 8], σ′ = y(1 − y)"),
        Tail("sigmoid-tail", new SigmoidOp(), 20, 50, 1, "|x| ∈ [20, 50], where σ rounds to 1 in float past 17.3; reference σ(x) − 1 = −σ(−x) for x > 0"),
        Elementwise("tanh", Activation.Tanh, -4, 4),
        Elementwise("tanh-from-output", Activation.Tanh, -4, 4, fromOutput: true),
        Tail("tanh-tail", new ActivationOp(Activation.Tanh, false), 10, 25, 2, "|x| ∈ [10, 25], where tanh rounds to ±1 in float past 9.0; reference tanh(x) ∓ 1 = ∓2σ(∓2x)"),
        Kinked("relu", Activation.Relu, false),
        Kinked("relu-from-output", Activation.Relu, true),
        Kinked("leaky-relu", Activation.LeakyRelu(0.01), false),
        Kinked("elu", Activation.Elu(1.0), false),
        Kinked("elu-from-output", Activation.Elu(1.0), true),
        Elementwise("gelu-tanh", Activation.GeluTanh, -6, 6),
        Elementwise("gelu-erf", Activation.GeluErf, -6, 6),
        Elementwise("silu", Activation.Silu, -10, 10),
        Elementwise("softplus", Activation.Softplus, -20, 20),
    ];

    private static CheckDefinition Elementwise(string kernel, Activation activation, double low, double high, bool fromOutput = false) =>
        Elementwise(kernel, new ActivationOp(activation, fromOutput), low, high, FormattableString.Invariant($"x ∈ [{low}, {high}]") + (fromOutput ? ", backward from y" : ""));

    private static CheckDefinition Elementwise(string kernel, GradOp op, double low, double high, string note) =>
        new(kernel, "activations", shapes => Case(kernel, op, Data.Uniform(Data.Random(shapes, kernel), shapes.Size, low, high), note));

    /// <summary>Inputs at least <see cref="KinkMargin"/> from the kink at 0, where the one-sided derivatives differ.</summary>
    private static CheckDefinition Kinked(string kernel, Activation activation, bool fromOutput) =>
        new(kernel, "activations", shapes => Case(
            kernel,
            new ActivationOp(activation, fromOutput),
            Data.BothSigns(Data.Random(shapes, kernel), shapes.Size, KinkMargin, 4),
            FormattableString.Invariant($"|x| ∈ [{KinkMargin}, 4]: the kink at 0 is avoided") + (fromOutput ? ", backward from y" : "")));

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
    private static CheckDefinition Tail(string kernel, GradOp op, double low, double high, double scale, string note) =>
        new(kernel, "activations", shapes =>
        {
            CheckCase check = Case(kernel, op, Data.BothSigns(Data.Random(shapes, kernel), shapes.Size, low, high), note);
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

    /// <summary>y = σ(x) through the sigmoid entry points; dx = dy ⊙ σ′(x) from the input.</summary>
    public sealed class SigmoidOp : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.Sigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients) =>
            Activations.SigmoidBackward<T>(inputs[0], upstream, gradients[0]);
    }

    /// <summary>y = σ(x); dx = dy ⊙ y(1 − y) from the output.</summary>
    public sealed class SigmoidFromOutputOp : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.Sigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients) =>
            Activations.SigmoidBackwardFromOutput<T>(output, upstream, gradients[0]);
    }
}
