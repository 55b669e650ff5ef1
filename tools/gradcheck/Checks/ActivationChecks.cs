using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>Activation functions: backward from the input, from the output, and in their saturated tails.</summary>
public static class ActivationChecks
{
    /// <summary>Float forward bound for elementwise activations: measured ≤ 2 ULP (exp to ≈ 1 ULP, one division), with margin.</summary>
    private const double ForwardUlp = 8;

    public static IEnumerable<CheckDefinition> All =>
    [
        Elementwise("sigmoid", new SigmoidOp(), -8, 8, "x ∈ [−8, 8]"),
        Elementwise("sigmoid-from-output", new SigmoidFromOutputOp(), -8, 8, "x ∈ [−8, 8], σ′ = y(1 − y)"),
        new("sigmoid-tail", "activations", shapes => new CheckCase
        {
            Kernel = "sigmoid-tail",
            Group = "activations",
            Op = new SigmoidOp(),
            Inputs = [new("x", Data.BothSigns(Data.Random(shapes, "sigmoid-tail"), shapes.Size, 20, 50))],
            OutputLength = shapes.Size,
            Note = "|x| ∈ [20, 50], where σ rounds to 1 in float past 17.3; reference σ(x) − 1 = −σ(−x) for x > 0",

            // σ(x) − 1 = −σ(−x) for x > 0: in double σ(x) is 1 past x ≈ 36.7 and has no difference left to take,
            // while σ(−|x|) keeps every digit. The step never crosses 0 here, so each branch is smooth.
            Reference = static (inputs, output) =>
            {
                double[] x = inputs[0];
                double[] negativeMagnitude = [.. x.Select(v => -Math.Abs(v))];
                Activations.Sigmoid<double>(negativeMagnitude, output);
                for (int i = 0; i < output.Length; i++)
                {
                    output[i] = x[i] > 0 ? -output[i] : output[i];
                }
            },
            FloatTolerance = Tolerances.FloatTail,
            ForwardUlpLimit = ForwardUlp,
        }),
    ];

    private static CheckDefinition Elementwise(string kernel, GradOp op, double low, double high, string note) =>
        new(kernel, "activations", shapes => new CheckCase
        {
            Kernel = kernel,
            Group = "activations",
            Op = op,
            Inputs = [new("x", Data.Uniform(Data.Random(shapes, kernel), shapes.Size, low, high))],
            OutputLength = shapes.Size,
            Note = note,
            FloatTolerance = Tolerances.FloatElementwise,
            ForwardUlpLimit = ForwardUlp,
        });

    /// <summary>y = σ(x); dx = dy ⊙ σ′(x) from the input.</summary>
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
