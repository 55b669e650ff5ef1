using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>
/// Every loss kernel, as the gradient of the scalar loss with respect to the predictions or logits, named by the
/// <see cref="Training.LossInfo"/> vocabulary: each loss head's name selects its kernels' checks.
/// </summary>
public static class LossChecks
{
    public static IEnumerable<CheckDefinition> All =>
    [
        Squared("squared-error-sum", _ => new SquaredErrorSumOp()),
        Squared("squared-error-half-sum", _ => new HalfSquaredErrorSumOp()),
        Squared("squared-error-mean", _ => new MeanSquaredErrorOp()),
        Loss("softmax-cross-entropy-labels", (shapes, random) => [Data.Uniform(random, shapes.M * shapes.N, -5, 5), Labels(random, shapes.M, shapes.N)],
            shapes => new SoftmaxCrossEntropyLabelsOp(shapes.M, shapes.N), "labels"),
        Loss("softmax-cross-entropy-probabilities", (shapes, random) => [Data.Uniform(random, shapes.M * shapes.N, -5, 5), Probabilities(random, shapes.M, shapes.N)],
            shapes => new SoftmaxCrossEntropyOp(shapes.M, shapes.N), "probability rows"),
        Loss("sigmoid-cross-entropy", (shapes, random) => [BceLogits(random, shapes.M * shapes.N), Data.Uniform(random, shapes.M * shapes.N, 0, 1)],
            _ => new SigmoidCrossEntropyOp(), "logits ∈ [−8, 8] and ±[20, 40], targets ∈ [0, 1]"),
    ];

    private static CheckDefinition Squared(string kernel, Func<CaseShapes, GradOp> op) =>
        Loss(kernel, (shapes, random) => [Data.Uniform(random, shapes.M * shapes.N, -2, 2), Data.Uniform(random, shapes.M * shapes.N, -2, 2)],
            op, "z, y ∈ [−2, 2]");

    /// <summary>inputs[0] is differentiated (predictions or logits), inputs[1] is the target; the output is the loss.</summary>
    private static CheckDefinition Loss(string kernel, Func<CaseShapes, Random, double[][]> inputs, Func<CaseShapes, GradOp> op, string note) =>
        new(kernel, "losses", shapes =>
        {
            double[][] values = inputs(shapes, Data.Random(shapes, kernel));
            return new CheckCase
            {
                Kernel = kernel,
                Group = "losses",
                Op = op(shapes),
                Inputs = [new("z", values[0]), new("target", values[1], Differentiable: false)],
                OutputLength = 1,
                Note = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{shapes.M}×{shapes.N}, {note}"),
                FloatTolerance = Tolerances.FloatRowwise,
            };
        });

    private static double[] Labels(Random random, int rows, int cols) => [.. Enumerable.Range(0, rows).Select(_ => (double)random.Next(cols))];

    private static double[] Probabilities(Random random, int rows, int cols)
    {
        double[] p = Data.Uniform(random, rows * cols, 0, 1);
        for (int r = 0; r < rows; r++)
        {
            Span<double> row = p.AsSpan(r * cols, cols);
            double sum = 0;
            foreach (double v in row)
            {
                sum += v;
            }

            for (int c = 0; c < cols; c++)
            {
                row[c] = (float)(row[c] / sum);
            }
        }

        return p;
    }

    /// <summary>Mostly moderate logits, every fourth saturated (|z| ∈ [20, 40]) where σ′ has vanished but σ(z) − y has not.</summary>
    private static double[] BceLogits(Random random, int length)
    {
        double[] z = Data.Uniform(random, length, -8, 8);
        double[] far = Data.BothSigns(random, length, 20, 40);
        for (int i = 0; i < length; i += 4)
        {
            z[i] = far[i];
        }

        return z;
    }

    /// <summary>The scalar output L and its gradient: a loss kernel computes both; backward scales the gradient by the upstream dL.</summary>
    public abstract class LossOp : GradOp
    {
        public sealed override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) =>
            output[0] = Loss(inputs[0], inputs[1], new T[inputs[0].Length]);

        public sealed override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] gradient = gradients[0]!;
            Loss<T>(inputs[0], inputs[1], gradient);
            for (int i = 0; i < gradient.Length; i++)
            {
                gradient[i] *= upstream[0];
            }
        }

        /// <summary>Returns L(z, target) and writes ∂L/∂z into <paramref name="gradient"/>.</summary>
        protected abstract T Loss<T>(T[] z, T[] target, T[] gradient)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>;
    }

    public sealed class SquaredErrorSumOp : LossOp
    {
        protected override T Loss<T>(T[] z, T[] target, T[] gradient) => Losses.SquaredErrorSum<T>(z, target, gradient);
    }

    public sealed class HalfSquaredErrorSumOp : LossOp
    {
        protected override T Loss<T>(T[] z, T[] target, T[] gradient) => Losses.HalfSquaredErrorSum<T>(z, target, gradient);
    }

    public sealed class MeanSquaredErrorOp : LossOp
    {
        protected override T Loss<T>(T[] z, T[] target, T[] gradient) => Losses.MeanSquaredError<T>(z, target, gradient);
    }

    public sealed class SoftmaxCrossEntropyOp(int rows, int cols) : LossOp
    {
        protected override T Loss<T>(T[] z, T[] target, T[] gradient) => Losses.SoftmaxCrossEntropy<T>(z, target, rows, cols, gradient);
    }

    public sealed class SoftmaxCrossEntropyLabelsOp(int rows, int cols) : LossOp
    {
        protected override T Loss<T>(T[] z, T[] target, T[] gradient) =>
            Losses.SoftmaxCrossEntropy<T>(z, [.. target.Select(int.CreateTruncating)], rows, cols, gradient);
    }

    public sealed class SigmoidCrossEntropyOp : LossOp
    {
        protected override T Loss<T>(T[] z, T[] target, T[] gradient) => Losses.SigmoidCrossEntropy<T>(z, target, gradient);
    }
}
