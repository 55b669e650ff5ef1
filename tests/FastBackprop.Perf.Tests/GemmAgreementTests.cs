using FastBackprop.Benchmarks;

namespace FastBackprop.Perf.Tests;

public class GemmAgreementTests
{
    private static readonly GemmShape Square = GemmShape.Parse("NN 32x32x32");

    private static (float[] A, float[] B) Operands()
    {
        var random = new Random(7);
        float[] a = [.. Enumerable.Range(0, 32 * 32).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] b = [.. Enumerable.Range(0, 32 * 32).Select(_ => (float)(random.NextDouble() - 0.5))];
        return (a, b);
    }

    [Fact]
    public void A_peer_computing_the_same_product_passes()
    {
        (float[] a, float[] b) = Operands();

        GemmAgreement.Verify("same", Square, a, b, c => Gemm.Multiply(MatrixOp.None, MatrixOp.None, 32, 32, 32, 1f, a, 32, b, 32, 0f, c, 32));
    }

    [Fact]
    public void A_peer_that_transposes_the_wrong_operand_is_rejected()
    {
        (float[] a, float[] b) = Operands();

        var e = Assert.Throws<InvalidOperationException>(() =>
            GemmAgreement.Verify("swapped", Square, a, b, c => Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, 32, 32, 32, 1f, a, 32, b, 32, 0f, c, 32)));

        Assert.StartsWith("swapped disagrees with Gemm.Multiply on NN 32x32x32: C[", e.Message);
    }

    [Fact]
    public void A_peer_that_adds_to_C_instead_of_overwriting_it_is_rejected()
    {
        (float[] a, float[] b) = Operands();

        Assert.Throws<InvalidOperationException>(() =>
            GemmAgreement.Verify("beta", Square, a, b, c => Gemm.Multiply(MatrixOp.None, MatrixOp.None, 32, 32, 32, 1f, a, 32, b, 32, 1f, c, 32)));
    }
}
