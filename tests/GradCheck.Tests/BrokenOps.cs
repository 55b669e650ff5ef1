using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Tests;

/// <summary>Deliberately wrong backward passes, each a mistake people make, for the checker to catch.</summary>
public static class BrokenOps
{
    /// <summary>σ′ = σ: the derivative confused with the function.</summary>
    public sealed class SigmoidPrimeIsSigmoid : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.Sigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] dx = gradients[0]!;
            Activations.Sigmoid<T>(inputs[0], dx);
            for (int i = 0; i < dx.Length; i++)
            {
                dx[i] *= upstream[i];
            }
        }
    }

    /// <summary>σ′ = y(1 − y) from the rounded output: 0 wherever σ has rounded to 1 (seed 000).</summary>
    public sealed class SigmoidPrimeFromRoundedOutput : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.Sigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients) =>
            Activations.SigmoidBackwardFromOutput<T>(output, upstream, gradients[0]);
    }

    /// <summary>Log-sigmoid′ taken as σ(x), softplus′, instead of σ(−x): the two functions mixed up.</summary>
    public sealed class LogSigmoidPrimeIsSoftplusPrime : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.LogSigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients) =>
            Activations.SoftplusBackward<T>(inputs[0], upstream, gradients[0]);
    }

    /// <summary>Log-sigmoid′ formed as 1 − σ(x): right as algebra, 0 in float wherever σ(x) has rounded to 1 (x ≳ 17).</summary>
    public sealed class LogSigmoidPrimeAsOneMinusSigmoid : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.LogSigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] dx = gradients[0]!;
            Activations.Sigmoid<T>(inputs[0], dx);
            for (int i = 0; i < dx.Length; i++)
            {
                dx[i] = (T.One - dx[i]) * upstream[i];
            }
        }
    }

    /// <summary>A correct sigmoid backward that drifts by one ULP on every other call, as a stale accumulator would.</summary>
    public sealed class SigmoidNotReentrant : GradOp
    {
        private int calls;

        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.Sigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] dx = gradients[0]!;
            Activations.SigmoidBackward<T>(inputs[0], upstream, dx);
            if (calls++ % 2 == 1)
            {
                dx[0] = T.BitIncrement(dx[0]);
            }
        }
    }

    /// <summary>A correct sigmoid backward plus a constant 1e−30: invisible to tolerances, but not 0 for a zero upstream.</summary>
    public sealed class SigmoidWithConstantTerm : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => Activations.Sigmoid<T>(inputs[0], output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] dx = gradients[0]!;
            Activations.SigmoidBackward<T>(inputs[0], upstream, dx);
            for (int i = 0; i < dx.Length; i++)
            {
                dx[i] += T.CreateTruncating(1e-30);
            }
        }
    }

    /// <summary>
    /// C = A·B with dA = G·B instead of G·Bᵀ: the transpose forgotten (B [k × n] read as if it were [n × k]). dB is right.
    /// </summary>
    public sealed class GemmForgotTranspose(int m, int n, int k) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) =>
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, m, n, k, T.One, inputs[0], k, inputs[1], n, T.Zero, output, n);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, m, k, n, T.One, upstream, n, inputs[1], k, T.Zero, gradients[0], k);
            Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, k, n, m, T.One, inputs[0], k, upstream, n, T.Zero, gradients[1], n);
        }
    }

    /// <summary>Mean softmax cross-entropy whose gradient is softmax − onehot without the 1/N of the mean.</summary>
    public sealed class CrossEntropyWithoutOneOverN(int rows, int cols) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) =>
            output[0] = Losses.SoftmaxCrossEntropy<T>(inputs[0], Labels(inputs[1]), rows, cols, new T[inputs[0].Length]);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] dz = gradients[0]!;
            Activations.Softmax<T>(inputs[0], rows, cols, dz);
            int[] labels = Labels(inputs[1]);
            for (int r = 0; r < rows; r++)
            {
                dz[(r * cols) + labels[r]] -= T.One;
            }

            for (int i = 0; i < dz.Length; i++)
            {
                dz[i] *= upstream[0];
            }
        }

        private static int[] Labels<T>(T[] values)
            where T : INumberBase<T> => [.. values.Select(int.CreateTruncating)];
    }

    /// <summary>Another op with its gradient scaled by a constant: a lost 1/N or ½ anywhere in a chain.</summary>
    public sealed class ScaledGradient(GradOp inner, double factor) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => inner.Forward(inputs, output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            inner.Backward(inputs, output, upstream, gradients);
            foreach (T[]? gradient in gradients)
            {
                for (int i = 0; gradient is not null && i < gradient.Length; i++)
                {
                    gradient[i] *= T.CreateTruncating(factor);
                }
            }
        }
    }

    /// <summary>A correct backward whose gradient for input <paramref name="input"/> alone has the wrong sign (∂J/∂X taken as −∂J/∂X).</summary>
    public sealed class NegatedInputGradient(GradOp inner, int input) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => inner.Forward(inputs, output);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            inner.Backward(inputs, output, upstream, gradients);
            T[] gradient = gradients[input]!;
            for (int i = 0; i < gradient.Length; i++)
            {
                gradient[i] = -gradient[i];
            }
        }
    }
}
