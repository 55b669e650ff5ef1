using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>Layer building blocks: bias add.</summary>
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
    ];

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
}
