using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>Row-wise softmax and log-softmax, backward from the output, on ordinary rows and on hard ones.</summary>
public static class SoftmaxChecks
{
    /// <summary>Float forward bound: measured ≤ 3 ULP on probabilities and log-probabilities not near 0, with margin.</summary>
    private const double ForwardUlp = 16;

    public static IEnumerable<CheckDefinition> All =>
    [
        Rowwise("softmax", log: false, hard: false),
        Rowwise("softmax-hard", log: false, hard: true),
        Rowwise("log-softmax", log: true, hard: false),
        Rowwise("log-softmax-hard", log: true, hard: true),
    ];

    private static CheckDefinition Rowwise(string kernel, bool log, bool hard) =>
        new(kernel, "softmax", shapes =>
        {
            Random random = Data.Random(shapes, kernel);
            double[] x = hard ? HardRows(random, shapes.M, shapes.N) : Data.Uniform(random, shapes.M * shapes.N, -5, 5);
            return new CheckCase
            {
                Kernel = kernel,
                Group = "softmax",
                Op = new SoftmaxOp(shapes.M, shapes.N, log),
                Inputs = [new("x", x)],
                OutputLength = x.Length,
                Note = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{shapes.M}×{shapes.N}")
                    + (hard ? ", rows spanning ±100 and ±1000 with −∞ entries" : ", x ∈ [−5, 5]"),
                FloatTolerance = Tolerances.FloatRowwise,

                // Hard rows are reported only: float's error there follows the conditioning, |x − max|·2⁻²⁴ relative
                // (≈ 64 ULP at a spread of 100), and a log-probability that should be −e⁻⁵⁰ comes out as 0.
                ForwardUlpLimit = hard ? null : ForwardUlp,
            };
        });

    /// <summary>
    /// Rows that break a naive softmax: spreads of ±100 (exp overflows float past 88.7 without the max shift) and
    /// ±1000 (overflows double), and −∞ entries (masked classes) in every third row, never a whole row of them.
    /// </summary>
    private static double[] HardRows(Random random, int rows, int cols)
    {
        double[] x = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double spread = r % 2 == 0 ? 100 : 1000;
            for (int c = 0; c < cols; c++)
            {
                x[(r * cols) + c] = (float)(spread * ((2 * random.NextDouble()) - 1));
            }

            if (r % 3 == 0 && cols > 1)
            {
                for (int c = 0; c < cols; c += 3)
                {
                    x[(r * cols) + c] = double.NegativeInfinity;
                }
            }
        }

        return x;
    }

    /// <summary>y = softmax(x) or log_softmax(x) row-wise; backward from the output y.</summary>
    public sealed class SoftmaxOp(int rows, int cols, bool log) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output)
        {
            if (log)
            {
                Activations.LogSoftmax<T>(inputs[0], rows, cols, output);
            }
            else
            {
                Activations.Softmax<T>(inputs[0], rows, cols, output);
            }
        }

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            if (log)
            {
                Activations.LogSoftmaxBackwardFromOutput<T>(output, upstream, rows, cols, gradients[0]);
            }
            else
            {
                Activations.SoftmaxBackwardFromOutput<T>(output, upstream, rows, cols, gradients[0]);
            }
        }
    }
}
