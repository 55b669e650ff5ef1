using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>
/// GEMM in its four transpose variants, as <c>C = op(A)·op(B)</c> differentiated through ⟨G, C⟩:
/// <c>∂/∂op(A) = G·op(B)ᵀ</c> and <c>∂/∂op(B) = op(A)ᵀ·G</c>, each computed with GEMM itself.
/// </summary>
public static class GemmChecks
{
    /// <summary>Large enough for packing, several microkernel tiles and edge tiles on every path; checked by directional difference.</summary>
    private static readonly (int M, int N, int K) Large = (97, 161, 131);

    public static IEnumerable<CheckDefinition> All =>
        from a in new[] { MatrixOp.None, MatrixOp.Transpose }
        from b in new[] { MatrixOp.None, MatrixOp.Transpose }
        from large in new[] { false, true }
        select Definition(a, b, large);

    public static string Name(MatrixOp opA, MatrixOp opB) =>
        $"gemm-{(opA == MatrixOp.None ? 'n' : 't')}{(opB == MatrixOp.None ? 'n' : 't')}";

    private static CheckDefinition Definition(MatrixOp opA, MatrixOp opB, bool large)
    {
        string kernel = Name(opA, opB) + (large ? "-large" : "");
        return new(kernel, "gemm", shapes =>
        {
            (int m, int n, int k) = large ? Large : (shapes.M, shapes.N, shapes.K);
            Random random = Data.Random(shapes, kernel);
            return new CheckCase
            {
                Kernel = kernel,
                Group = "gemm",
                Op = new GemmOp(opA, opB, m, n, k),
                Inputs = [new("A", Data.Uniform(random, m * k, -1, 1)), new("B", Data.Uniform(random, k * n, -1, 1))],
                OutputLength = m * n,
                Note = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"m×n×k = {m}×{n}×{k}"),
                AlwaysFast = large,
                ForwardUlpOfLargest = true,
            };
        });
    }

    private static MatrixOp Flip(MatrixOp op) => op == MatrixOp.None ? MatrixOp.Transpose : MatrixOp.None;

    /// <summary>C[m × n] = op(A)·op(B); A stored m×k (None) or k×m (Transpose), B stored k×n or n×k.</summary>
    public sealed class GemmOp(MatrixOp opA, MatrixOp opB, int m, int n, int k) : GradOp
    {
        private readonly int lda = opA == MatrixOp.None ? k : m;
        private readonly int ldb = opB == MatrixOp.None ? n : k;

        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) =>
            Gemm.Multiply(opA, opB, m, n, k, T.One, inputs[0], lda, inputs[1], ldb, T.Zero, output, n);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[] a = inputs[0];
            T[] b = inputs[1];

            // d op(A) = G·op(B)ᵀ [m × k]; stored transposed (k × m) it is op(B)·Gᵀ.
            if (opA == MatrixOp.None)
            {
                Gemm.Multiply(MatrixOp.None, Flip(opB), m, k, n, T.One, upstream, n, b, ldb, T.Zero, gradients[0], k);
            }
            else
            {
                Gemm.Multiply(opB, MatrixOp.Transpose, k, m, n, T.One, b, ldb, upstream, n, T.Zero, gradients[0], m);
            }

            // d op(B) = op(A)ᵀ·G [k × n]; stored transposed (n × k) it is Gᵀ·op(A).
            if (opB == MatrixOp.None)
            {
                Gemm.Multiply(Flip(opA), MatrixOp.None, k, n, m, T.One, a, lda, upstream, n, T.Zero, gradients[1], n);
            }
            else
            {
                Gemm.Multiply(MatrixOp.Transpose, opA, n, k, m, T.One, upstream, n, a, lda, T.Zero, gradients[1], k);
            }
        }
    }
}
