namespace FastBackprop.Tests.Kernels;

/// <summary>
/// A plain triple-loop GEMM in double, with an error bound per element, and a generic harness that runs
/// <see cref="Gemm"/> on random data and checks every element of C and every gap between C's rows.
/// </summary>
internal static class GemmReference
{
    /// <summary>Value planted in C's row gaps (columns n..ldc−1): GEMM must leave it there.</summary>
    public const double GapSentinel = 12345.5;

    /// <summary>
    /// Tolerance in units of the type's epsilon: each element is a chain of k fused multiply-adds (k roundings,
    /// one per partial sum) plus the epilogue acc·α + β·c (at most 2 more). The classic bound for a recursive
    /// dot product is |ĉ − c| ≤ γ_k·Σ|a||b| with γ_k = k·u/(1 − k·u), u = ε/2; (k + 4)·ε·(|α|·Σ|a||b| + |β|·|c₀|)
    /// covers it with a factor-2 margin, and the rounding of the double reference itself (k·2⁻⁵³ relative) as well.
    /// </summary>
    public static double Tolerance(int k, double epsilon, double magnitude) => (k + 4) * epsilon * magnitude;

    public static double Get(MatrixOp op, double[] x, int ld, int row, int col) =>
        op == MatrixOp.None ? x[(row * ld) + col] : x[(col * ld) + row];

    /// <summary>C = α·op(A)·op(B) + β·C₀ in double, and Σ|α·a·b| + |β·c₀| per element for the tolerance.</summary>
    public static (double[] Expected, double[] Magnitude) Multiply(
        MatrixOp opA, MatrixOp opB, int m, int n, int k, double alpha, double[] a, int lda, double[] b, int ldb, double beta, double[] c0, int ldc)
    {
        var expected = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                double abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double product = Get(opA, a, lda, i, p) * Get(opB, b, ldb, p, j);
                    sum += product;
                    abs += Math.Abs(product);
                }

                double old = beta == 0 ? 0 : beta * c0[(i * ldc) + j];
                expected[(i * n) + j] = (alpha * sum) + old;
                magnitude[(i * n) + j] = (Math.Abs(alpha) * abs) + Math.Abs(old);
            }
        }

        return (expected, magnitude);
    }

    /// <summary>
    /// Runs one GEMM on random values in [−1, 1) (C₀ all NaN when β = 0, so garbage must not leak) and asserts
    /// every element against the reference within <see cref="Tolerance"/> and every row gap untouched.
    /// Returns C for callers that compare runs bit for bit.
    /// </summary>
    public static T[] Check<T>(
        MatrixOp opA, MatrixOp opB, int m, int n, int k, double alpha, double beta, int pad, int seed, int threads = 1, GemmStrategy strategy = GemmStrategy.Auto)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        (int aRows, int aCols) = opA == MatrixOp.None ? (m, k) : (k, m);
        (int bRows, int bCols) = opB == MatrixOp.None ? (k, n) : (n, k);
        int lda = aCols + pad;
        int ldb = bCols + ((pad * 3) % 5);
        int ldc = n + pad;
        T[] a = RandomMatrix<T>(random, aRows, lda);
        T[] b = RandomMatrix<T>(random, bRows, ldb);
        T[] c = RandomMatrix<T>(random, m, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                if (j >= n)
                {
                    c[(i * ldc) + j] = T.CreateTruncating(GapSentinel);
                }
                else if (beta == 0)
                {
                    c[(i * ldc) + j] = T.NaN;
                }
            }
        }

        double[] c0 = Array.ConvertAll(c, double.CreateTruncating);
        (double[] expected, double[] magnitude) = Multiply(
            opA, opB, m, n, k, alpha, Array.ConvertAll(a, double.CreateTruncating), lda, Array.ConvertAll(b, double.CreateTruncating), ldb, beta, c0, ldc);

        Gemm.Multiply(opA, opB, m, n, k, T.CreateTruncating(alpha), a, lda, b, ldb, T.CreateTruncating(beta), c, ldc, threads, strategy);

        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                double actual = double.CreateTruncating(c[(i * ldc) + j]);
                if (j >= n)
                {
                    Assert.True(actual == GapSentinel, $"C[{i}, {j}] in the row gap was overwritten with {actual}.");
                    continue;
                }

                double want = expected[(i * n) + j];
                double tolerance = Tolerance(k, epsilon, magnitude[(i * n) + j]);
                Assert.True(
                    Math.Abs(actual - want) <= tolerance,
                    $"{opA}/{opB} m={m} n={n} k={k} α={alpha} β={beta} pad={pad} threads={threads} {strategy}: " +
                    $"C[{i}, {j}] = {actual}, reference {want}, tolerance {tolerance}.");
            }
        }

        return c;
    }

    public static T[] RandomMatrix<T>(Random random, int rows, int ld)
        where T : IFloatingPointIeee754<T>
    {
        var values = new T[rows * ld];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating((2 * random.NextDouble()) - 1);
        }

        return values;
    }
}
