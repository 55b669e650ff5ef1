using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// GEMM touches nothing outside the used extent of A, B and C, <c>(rows − 1)·ld + cols</c> elements each (all the
/// argument checks require): every operand lies flush against an inaccessible page, at its end or at its start, so
/// one element read or written past it kills the test host. Each strategy, every op combination, β = 0 and 1, one
/// and two threads; the results must still match the reference.
/// </summary>
public class GemmBoundsTests
{
    private static readonly MatrixOp[] Ops = [MatrixOp.None, MatrixOp.Transpose];

    private static readonly GemmStrategy[] Strategies = [GemmStrategy.Auto, GemmStrategy.Packed, GemmStrategy.Direct, GemmStrategy.Narrow, GemmStrategy.Tall];

    /// <summary>Edges of every tile and vector width (1, 2, 4, 8, 16 lanes), C narrower than a vector (n = 2, 10), and k across a k block (KC = 128 or 256).</summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 10, 3), (2, 2, 500), (3, 5, 2), (9, 10, 64), (17, 2, 33), (65, 3, 7), (8, 17, 1), (70, 10, 2),
        (13, 33, 300), (6, 65, 9), (33, 1, 130),
    ];

    [Fact]
    public void No_element_outside_A_B_or_C_is_read_or_written_on_any_path()
    {
        // CI runs Linux on every path (qemu-user included); elsewhere there is no portable way to map a guard page.
        if (!GuardedMemory<float>.IsSupported)
        {
            return;
        }

        int seed = 0;
        foreach ((int m, int n, int k) in Shapes)
        {
            foreach (MatrixOp opA in Ops)
            {
                foreach (MatrixOp opB in Ops)
                {
                    foreach (GemmStrategy strategy in Strategies)
                    {
                        foreach (double beta in new[] { 0.0, 1.0 })
                        {
                            seed++;
                            int threads = 1 + (seed % 2);
                            Check<float>(opA, opB, m, n, k, beta, pad: seed % 3, flushWithStart: seed % 4 < 2, threads, strategy, seed);
                            Check<double>(opA, opB, m, n, k, beta, pad: (seed + 1) % 3, flushWithStart: seed % 4 >= 2, threads, strategy, seed);
                        }
                    }
                }
            }
        }
    }

    private static void Check<T>(
        MatrixOp opA, MatrixOp opB, int m, int n, int k, double beta, int pad, bool flushWithStart, int threads, GemmStrategy strategy, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        (int aRows, int aCols) = opA == MatrixOp.None ? (m, k) : (k, m);
        (int bRows, int bCols) = opB == MatrixOp.None ? (k, n) : (n, k);
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        using var a = new GuardedMemory<T>(((aRows - 1) * lda) + aCols, flushWithStart);
        using var b = new GuardedMemory<T>(((bRows - 1) * ldb) + bCols, flushWithStart);
        using var c = new GuardedMemory<T>(((m - 1) * ldc) + n, flushWithStart);
        Fill(a.Span, random);
        Fill(b.Span, random);
        Fill(c.Span, random);
        double[] c0 = ToDouble(c.Span);
        (double[] expected, double[] magnitude) = GemmReference.Multiply(
            opA, opB, m, n, k, 1.0, ToDouble(a.Span), lda, ToDouble(b.Span), ldb, beta, c0, ldc);

        Gemm.Multiply(opA, opB, m, n, k, T.One, a.Span, lda, b.Span, ldb, T.CreateTruncating(beta), c.Span, ldc, threads, strategy);

        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc && (i * ldc) + j < c.Span.Length; j++)
            {
                double actual = double.CreateTruncating(c.Span[(i * ldc) + j]);
                if (j >= n)
                {
                    Assert.True(actual == c0[(i * ldc) + j], $"C[{i}, {j}] in the row gap was overwritten ({strategy}).");
                    continue;
                }

                double want = expected[(i * n) + j];
                Assert.True(
                    Math.Abs(actual - want) <= GemmReference.Tolerance(k, epsilon, magnitude[(i * n) + j]),
                    $"{opA}/{opB} m={m} n={n} k={k} β={beta} pad={pad} threads={threads} {strategy}: C[{i}, {j}] = {actual}, reference {want}.");
            }
        }
    }

    private static void Fill<T>(Span<T> values, Random random)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating((2 * random.NextDouble()) - 1);
        }
    }

    private static double[] ToDouble<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = double.CreateTruncating(values[i]);
        }

        return result;
    }
}
