using System.Runtime.InteropServices;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// k = 1 and 2, where the automatic path takes the short-k kernel (an outer product; rows of a small batch at k = 2):
/// every element must keep the bits the kernels built for k steps give it (FMAs from +0 in k order, then the fold),
/// byte for byte, signed zeros included.
/// </summary>
public sealed class GemmShortKTests
{
    private static readonly int[] Sizes = [1, 2, 3, 4, 6, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65];

    /// <summary>Every pair of <see cref="Sizes"/>, and 2-500-2's shapes: 500 × 1 · 1 × 2, 2 × 1 · 1 × 500, 1 × 2 · 2 × 500.</summary>
    private static readonly (int M, int N)[] Shapes =
        [.. from m in Sizes from n in Sizes select (m, n), (500, 1), (500, 2), (1, 500), (2, 500), (7, 500)];

    private static readonly GemmStrategy[] Forced = [GemmStrategy.Packed, GemmStrategy.Direct, GemmStrategy.Narrow, GemmStrategy.Tall];

    /// <summary>
    /// Every size class of m and n (a partial vector of rows or columns, whole ones, one and two columns end to end,
    /// fewer rows than an unpacked tile and more), each op, op(B) = Bᵀ with its rows contiguous (ldb = k: at k = 2
    /// split a vector pair at a time) or not, a plain A or B with the narrowest stride or a wider one, C packed or
    /// wider than n, and β = 0 over NaN, β = 1 (the fused SGD step) and β = −0.5.
    /// </summary>
    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(1, 1.0)]
    [InlineData(1, -0.5)]
    [InlineData(2, 0.0)]
    [InlineData(2, 1.0)]
    [InlineData(2, -0.5)]
    public void A_short_k_has_the_bits_of_every_path_built_for_k_steps(int k, double beta)
    {
        foreach (MatrixOp opA in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
        {
            foreach (MatrixOp opB in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
            {
                foreach ((int m, int n) in Shapes)
                {
                    foreach (int widen in (int[])[0, 3])
                    {
                        Agrees<float>(opA, opB, m, n, k, widen, beta);
                        Agrees<double>(opA, opB, m, n, k, widen, beta);
                    }
                }
            }
        }
    }

    private static void Agrees<T>(MatrixOp opA, MatrixOp opB, int m, int n, int k, int widen, double beta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random((m * 1000) + n + widen);
        // op(A) is m × k: stored m × k (lda = k + widen) or k × m; op(B) is k × n: stored k × n (ldb = n + widen) or
        // n × k (ldb = k + widen).
        int lda = opA == MatrixOp.None ? k + widen : m;
        int ldb = opB == MatrixOp.None ? n + widen : k + widen;
        int ldc = n + widen;
        T[] a = Values<T>(random, opA == MatrixOp.None ? ((m - 1) * lda) + k : ((k - 1) * lda) + m);
        T[] b = Values<T>(random, opB == MatrixOp.None ? ((k - 1) * ldb) + n : ((n - 1) * ldb) + k);
        T[] c0 = beta == 0 ? Enumerable.Repeat(T.NaN, m * ldc).ToArray() : Values<T>(random, m * ldc);
        T alpha = T.CreateTruncating(-0.75);
        T betaT = T.CreateTruncating(beta);

        T[] automatic = c0.ToArray();
        Gemm.Multiply(opA, opB, m, n, k, alpha, a, lda, b, ldb, betaT, automatic, ldc, threads: 1, GemmStrategy.Auto);
        foreach (GemmStrategy strategy in Forced)
        {
            T[] forced = c0.ToArray();
            Gemm.Multiply(opA, opB, m, n, k, alpha, a, lda, b, ldb, betaT, forced, ldc, threads: 1, strategy);
            string what = $"{typeof(T).Name} {opA}/{opB} m={m} n={n} k={k} widen={widen} β={beta} against {strategy}";
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
