using System.Runtime.InteropServices;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// k = 1, where the automatic path takes the outer-product kernel: every element must keep the bits the kernels
/// built for k steps give it (one FMA from +0, then the fold), byte for byte, signed zeros included.
/// </summary>
public sealed class GemmOuterTests
{
    private static readonly int[] Sizes = [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 500];

    private static readonly GemmStrategy[] Forced = [GemmStrategy.Packed, GemmStrategy.Direct, GemmStrategy.Narrow, GemmStrategy.Tall];

    /// <summary>
    /// Every size class of m and n (a partial vector of rows or columns, whole ones, one and two columns end to end),
    /// each op, op(B) = Bᵀ with its column contiguous (ldb = 1) or not, a plain A with lda = 1 or wider, C packed or
    /// wider than n, and β = 0 over NaN, β = 1 (the fused SGD step) and β = −0.5.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    public void A_k_of_one_has_the_bits_of_every_path_built_for_k_steps(double beta)
    {
        foreach (MatrixOp opA in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
        {
            foreach (MatrixOp opB in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
            {
                foreach (int m in Sizes)
                {
                    foreach (int n in Sizes)
                    {
                        foreach (int widen in (int[])[0, 3])
                        {
                            Agrees<float>(opA, opB, m, n, widen, beta);
                            Agrees<double>(opA, opB, m, n, widen, beta);
                        }
                    }
                }
            }
        }
    }

    private static void Agrees<T>(MatrixOp opA, MatrixOp opB, int m, int n, int widen, double beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random((m * 1000) + n + widen);
        // op(A) is m × 1: stored m × 1 (lda = 1 + widen) or 1 × m; op(B) is 1 × n: stored 1 × n or n × 1 (ldb = 1 + widen).
        int lda = opA == MatrixOp.None ? 1 + widen : m;
        int ldb = opB == MatrixOp.None ? n : 1 + widen;
        int ldc = n + widen;
        T[] a = Values<T>(random, opA == MatrixOp.None ? ((m - 1) * lda) + 1 : m);
        T[] b = Values<T>(random, opB == MatrixOp.None ? n : ((n - 1) * ldb) + 1);
        T[] c0 = beta == 0 ? Enumerable.Repeat(T.NaN, m * ldc).ToArray() : Values<T>(random, m * ldc);
        T alpha = T.CreateTruncating(-0.75);
        T betaT = T.CreateTruncating(beta);

        T[] automatic = c0.ToArray();
        Gemm.Multiply(opA, opB, m, n, 1, alpha, a, lda, b, ldb, betaT, automatic, ldc, threads: 1, GemmStrategy.Auto);
        foreach (GemmStrategy strategy in Forced)
        {
            T[] forced = c0.ToArray();
            Gemm.Multiply(opA, opB, m, n, 1, alpha, a, lda, b, ldb, betaT, forced, ldc, threads: 1, strategy);
            string what = $"{typeof(T).Name} {opA}/{opB} m={m} n={n} widen={widen} β={beta} against {strategy}";
            Assert.True(MemoryMarshal.AsBytes(forced.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(automatic.AsSpan())), what);
        }
    }

    /// <summary>Values in (−1, 1) with zeros of both signs, so that a product of −0 shows whether the chain started from +0.</summary>
    private static T[] Values<T>(Random random, int count)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (i % 5) switch
            {
                1 => T.Zero,
                3 => T.NegativeZero,
                _ => T.CreateTruncating((random.NextDouble() * 2) - 1),
            };
        }

        return values;
    }
}
