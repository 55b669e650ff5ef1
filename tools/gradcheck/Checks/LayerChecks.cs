using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>Bias add and a dense layer <c>Y = f(X·W + b)</c>, W stored [inputs × outputs], built from the public kernels.</summary>
public static class LayerChecks
{
    public static IEnumerable<CheckDefinition> All =>
    [
        new("bias-add", "layers", shapes =>
        {
            Random random = Data.Random(shapes, "bias-add");
            return new CheckCase
            {
                Kernel = "bias-add",
                Group = "layers",
                Op = new BiasAddOp(shapes.M, shapes.N),
                Inputs = [new("x", Data.Uniform(random, shapes.M * shapes.N, -1, 1)), new("b", Data.Uniform(random, shapes.N, -1, 1))],
                OutputLength = shapes.M * shapes.N,
                ForwardUlpOfLargest = true,
                Note = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"y = x + b, {shapes.M}×{shapes.N}"),
            };
        }),
        Dense("dense", Activation.Identity),
        Dense("dense-tanh", Activation.Tanh),
    ];

    private static CheckDefinition Dense(string kernel, Activation activation) =>
        new(kernel, "layers", shapes =>
        {
            (int batch, int outputs, int inputs) = (shapes.M, shapes.N, shapes.K);
            Random random = Data.Random(shapes, kernel);
            return new CheckCase
            {
                Kernel = kernel,
                Group = "layers",
                Op = new DenseOp(batch, inputs, outputs, activation),
                Inputs =
                [
                    new("X", Data.Uniform(random, batch * inputs, -1, 1)),
                    new("W", Data.Uniform(random, inputs * outputs, -0.5, 0.5)),
                    new("b", Data.Uniform(random, outputs, -0.5, 0.5)),
                ],
                OutputLength = batch * outputs,
                ForwardUlpOfLargest = true,
                Note = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Y = {activation.Kind}(X·W + b), batch {batch}, {inputs} → {outputs}"),
            };
        });

    /// <summary>y = x + b (b broadcast over rows); dx = G, db = Σ_rows G.</summary>
    public sealed class BiasAddOp(int rows, int cols) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output)
        {
            inputs[0].CopyTo(output, 0);
            Linear.AddBias<T>(inputs[1], rows, cols, output);
        }

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            upstream.CopyTo(gradients[0]!, 0);
            Linear.BiasGradient<T>(upstream, rows, cols, gradients[1]);
        }
    }

    /// <summary>
    /// P = X·W + b, Y = f(P); backward: δ = G ⊙ f′(P), dX = δ·Wᵀ, dW = Xᵀ·δ, db = Σ_rows δ.
    /// </summary>
    public sealed class DenseOp(int batch, int fanIn, int fanOut, Activation activation) : GradOp
    {
        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output)
        {
            Preactivation(inputs, output);
            Activations.Forward<T>(activation, output, output);
        }

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] delta = new T[batch * fanOut];
            Preactivation(inputs, delta);
            Activations.Backward<T>(activation, delta, upstream, delta);
            Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, batch, fanIn, fanOut, T.One, delta, fanOut, inputs[1], fanOut, T.Zero, gradients[0], fanIn);
            Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, fanIn, fanOut, batch, T.One, inputs[0], fanIn, delta, fanOut, T.Zero, gradients[1], fanOut);
            Linear.BiasGradient<T>(delta, batch, fanOut, gradients[2]);
        }

        private void Preactivation<T>(IReadOnlyList<T[]> inputs, T[] p)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, batch, fanOut, fanIn, T.One, inputs[0], fanIn, inputs[1], fanOut, T.Zero, p, fanOut);
            Linear.AddBias<T>(inputs[2], batch, fanOut, p);
        }
    }
}
