namespace FastBackprop.Tests.Kernels;

/// <summary>
/// GEMM against the double reference (<see cref="GemmReference"/>): every op combination, α and β, NaN garbage
/// under β = 0, strides wider than the matrix, every size 1..70 per dimension, on the packed, unpacked and narrow
/// paths, and Freivalds' residual check on big shapes.
/// </summary>
public class GemmTests
{
    private static readonly MatrixOp[] Ops = [MatrixOp.None, MatrixOp.Transpose];

    private static readonly GemmStrategy[] Strategies = [GemmStrategy.Packed, GemmStrategy.Direct, GemmStrategy.Narrow, GemmStrategy.Tall];

    /// <summary>
    /// Every (opA, opB) on the packed, the unpacked (on a transposed copy of B when op(B) = Bᵀ), the narrow and the
    /// tall path; the path goes by name, the strategy enum being internal.
    /// </summary>
    public static TheoryData<MatrixOp, MatrixOp, string> OpCombinations()
    {
        var data = new TheoryData<MatrixOp, MatrixOp, string>();
        foreach (MatrixOp opA in Ops)
        {
            foreach (MatrixOp opB in Ops)
            {
                foreach (GemmStrategy strategy in Strategies)
                {
                    data.Add(opA, opB, strategy.ToString());
                }
            }
        }

        return data;
    }

    /// <summary>Shapes around every tile edge (MR = 6 or 8 rows, NR = 2..64 columns) and across a k block (KC = 256).</summary>
    private static readonly (int M, int N, int K)[] EdgeShapes =
    [
        (1, 1, 1), (6, 64, 1), (7, 65, 3), (13, 17, 300), (5, 3, 257), (12, 128, 16), (19, 33, 9), (2, 100, 513),
    ];

    private static readonly (double Alpha, double Beta)[] Scales = [(1, 0), (1, 1), (-0.5, 2), (1.5, -1)];

    [Theory]
    [MemberData(nameof(OpCombinations))]
    public void Every_op_combination_with_any_alpha_and_beta_matches_the_reference(MatrixOp opA, MatrixOp opB, string path)
    {
        GemmStrategy strategy = Enum.Parse<GemmStrategy>(path);
        int seed = 0;
        foreach ((int m, int n, int k) in EdgeShapes)
        {
            foreach ((double alpha, double beta) in Scales)
            {
                seed++;
                GemmReference.Check<float>(opA, opB, m, n, k, alpha, beta, pad: seed % 3, seed, strategy: strategy);
                GemmReference.Check<double>(opA, opB, m, n, k, alpha, beta, pad: seed % 4, seed, strategy: strategy);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_size_1_to_70_in_each_dimension_matches_the_reference(int dimension)
    {
        var random = new Random(70 + dimension);
        for (int size = 1; size <= 70; size++)
        {
            int[] shape = [random.Next(1, 71), random.Next(1, 71), random.Next(1, 71)];
            shape[dimension] = size;
            MatrixOp opA = Ops[random.Next(2)];
            MatrixOp opB = Ops[random.Next(2)];
            GemmStrategy strategy = Strategies[random.Next(Strategies.Length)];
            double beta = random.Next(3) - 1;
            if (size % 2 == 0)
            {
                GemmReference.Check<float>(opA, opB, shape[0], shape[1], shape[2], 1.25, beta, pad: size % 3, seed: size, strategy: strategy);
            }
            else
            {
                GemmReference.Check<double>(opA, opB, shape[0], shape[1], shape[2], 1.25, beta, pad: size % 3, seed: size, strategy: strategy);
            }
        }
    }

    [Fact]
    public void Large_random_shapes_match_the_reference_on_the_automatic_path()
    {
        var random = new Random(300);
        for (int trial = 0; trial < 6; trial++)
        {
            int m = random.Next(100, 200);
            int n = random.Next(100, 200);
            int k = random.Next(150, 300);
            MatrixOp opA = Ops[trial % 2];
            MatrixOp opB = Ops[(trial / 2) % 2];
            GemmReference.Check<float>(opA, opB, m, n, k, 1, trial % 3 == 0 ? 0 : 0.5, pad: trial, seed: trial, threads: 1 + (trial % 3));
        }
    }

    /// <summary>
    /// A plain B is packed by the first tile down each micro-panel while it multiplies, where it is not read in place:
    /// 800 rows are more than one A block on every path (MC = 384 rows on AVX-512, 192 elsewhere), so the later tiles
    /// and blocks read the panels that tile wrote, over two or three k blocks, with a partial last panel packed
    /// beforehand (n = 70) and an edge tile at the end of the last block (32 rows there = 6·5 + 2 on either path).
    /// </summary>
    [Theory]
    [InlineData(MatrixOp.None)]
    [InlineData(MatrixOp.Transpose)]
    public void A_plain_B_packed_by_the_kernel_serves_every_later_tile_and_block(MatrixOp opA)
    {
        GemmReference.Check<float>(opA, MatrixOp.None, 800, 70, 300, 1, 0.5, pad: 1, seed: 800, strategy: GemmStrategy.Packed);
        GemmReference.Check<double>(opA, MatrixOp.None, 800, 70, 300, -0.75, 0, pad: 2, seed: 801, strategy: GemmStrategy.Packed);
        GemmReference.Check<float>(opA, MatrixOp.None, 800, 70, 300, 1, 1, pad: 0, seed: 802, threads: 2, strategy: GemmStrategy.Packed);
    }

    [Theory]
    [InlineData(nameof(GemmStrategy.Packed))]
    [InlineData(nameof(GemmStrategy.Direct))]
    [InlineData(nameof(GemmStrategy.Narrow))]
    [InlineData(nameof(GemmStrategy.Tall))]
    public void Beta_zero_overwrites_NaN_and_infinity_in_C(string path)
    {
        GemmStrategy strategy = Enum.Parse<GemmStrategy>(path);
        foreach (MatrixOp opA in Ops)
        {
            foreach (MatrixOp opB in Ops)
            {
                const int m = 9, n = 70, k = 5;
                float[] a = Enumerable.Repeat(1f, m * k).ToArray();
                float[] b = Enumerable.Repeat(2f, k * n).ToArray();
                float[] c = new float[m * n];
                for (int i = 0; i < c.Length; i++)
                {
                    c[i] = i % 2 == 0 ? float.NaN : float.NegativeInfinity;
                }

                Gemm.Multiply(opA, opB, m, n, k, 1f, a, opA == MatrixOp.None ? k : m, b, opB == MatrixOp.None ? n : k, 0f, c, n, 1, strategy);
                Assert.All(c, value => Assert.Equal(10f, value));
            }
        }
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.0, 3)]
    [InlineData(2.0, 0)]
    public void Zero_alpha_or_zero_k_gives_beta_times_C_without_reading_A_or_B(double beta, int k)
    {
        const int m = 5, n = 7, ldc = 9;
        double[] a = Enumerable.Repeat(double.NaN, m * k).ToArray();
        double[] b = Enumerable.Repeat(double.NaN, k * n).ToArray();
        double[] c = Enumerable.Range(0, m * ldc).Select(i => beta == 0 ? double.NaN : i).ToArray();
        double alpha = k == 0 ? 1 : 0;
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, m, n, k, alpha, a, k, b, n, beta, c, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int index = (i * ldc) + j;
                double expected = j >= n ? (beta == 0 ? double.NaN : index) : beta * (beta == 0 ? 0 : index);
                Assert.Equal(expected, c[index]);
            }
        }
    }

    /// <summary>
    /// Packing is data movement: A·Bᵀ must give the bits of A·B′ for B′ = Bᵀ stored plainly, on the packed path, for
    /// panel widths and depths on both sides of the pack's transposed blocks (8 rows × 8 k steps for float, 4 × 4
    /// for double) and of the k blocks, with a row stride wider than the matrix.
    /// </summary>
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 8, 8)]
    [InlineData(13, 9, 7)]
    [InlineData(6, 64, 256)]
    [InlineData(64, 784, 256)]
    [InlineData(19, 71, 301)]
    [InlineData(30, 130, 517)]
    public void A_times_B_transposed_has_the_bits_of_A_times_the_stored_transpose(int m, int n, int k)
    {
        TransposedAgrees<float>(m, n, k, k + 3, GemmStrategy.Packed);
        TransposedAgrees<double>(m, n, k, k + 3, GemmStrategy.Packed);
    }

    /// <summary>
    /// The unpacked path's copy of op(B) = Bᵀ, for every small k (k = 2 with B's rows end to end is split a vector
    /// pair at a time, k ≥ 4 goes through the register transposes) and every n up to 70, so each lane of a vector
    /// and each tail is someone's column; the automatic path too, which takes it for small products.
    /// </summary>
    [Theory]
    [InlineData(nameof(GemmStrategy.Direct))]
    [InlineData(nameof(GemmStrategy.Auto))]
    public void The_unpacked_copy_of_B_transposed_has_the_bits_of_the_stored_transpose(string path)
    {
        GemmStrategy strategy = Enum.Parse<GemmStrategy>(path);
        foreach (int k in (int[])[1, 2, 3, 4, 5, 9, 12])
        {
            foreach (int m in (int[])[1, 9, 64])
            {
                for (int n = 1; n <= 70; n += m == 9 ? 1 : 7)
                {
                    TransposedAgrees<float>(m, n, k, k, strategy);
                    TransposedAgrees<double>(m, n, k, k + (n % 2), strategy);
                }

                TransposedAgrees<float>(m, 500, k, k, strategy);
            }
        }
    }

    private static void TransposedAgrees<T>(int m, int n, int k, int ldb, GemmStrategy strategy)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random((m * 31) + n + k);
        T[] a = GemmReference.RandomMatrix<T>(random, m, k);
        T[] b = GemmReference.RandomMatrix<T>(random, n, ldb);
        var stored = new T[k * n];
        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < k; p++)
            {
                stored[(p * n) + j] = b[(j * ldb) + p];
            }
        }

        var transposed = new T[m * n];
        var plain = new T[m * n];
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, m, n, k, T.One, a, k, b, ldb, T.Zero, transposed, n, 1, strategy);
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, m, n, k, T.One, a, k, stored, n, T.Zero, plain, n, 1, strategy);
        for (int i = 0; i < plain.Length; i++)
        {
            Assert.True(
                plain[i].Equals(transposed[i]),
                $"{typeof(T).Name} {strategy} m={m} n={n} k={k} ldb={ldb}: C[{i / n}, {i % n}] is {transposed[i]} through Bᵀ but {plain[i]} through the stored transpose.");
        }
    }

    [Fact]
    public void Empty_products_write_nothing()
    {
        float[] c = [float.NaN, 7f];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, 0, 2, 3, 1f, [], 3, new float[6], 2, 0f, c, 2);
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, 1, 0, 3, 1f, new float[3], 3, [], 0, 0f, c, 0);
        Assert.True(float.IsNaN(c[0]));
        Assert.Equal(7f, c[1]);
    }

    /// <summary>
    /// Freivalds: for random t, C·t must equal α·op(A)·(op(B)·t) + β·C₀·t. O(n²) per check, independent of how C
    /// was computed, so it covers sizes where the O(n³) reference would be slow. The tolerance bounds the error of
    /// C (the per-element bound summed with |t|) plus the double-precision evaluation of both sides.
    /// </summary>
    [Theory]
    [InlineData(MatrixOp.None, MatrixOp.None)]
    [InlineData(MatrixOp.None, MatrixOp.Transpose)]
    [InlineData(MatrixOp.Transpose, MatrixOp.None)]
    [InlineData(MatrixOp.Transpose, MatrixOp.Transpose)]
    public void Freivalds_residual_is_within_the_bound_on_big_shapes(MatrixOp opA, MatrixOp opB)
    {
        Freivalds<float>(opA, opB, 300, 290, 280, 0.75, 0.5, Math.Pow(2, -23));
        Freivalds<double>(opA, opB, 257, 263, 269, -1.5, 0, Math.Pow(2, -52));
    }

    private static void Freivalds<T>(MatrixOp opA, MatrixOp opB, int m, int n, int k, double alpha, double beta, double epsilon)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(m + n + k);
        (int aRows, int aCols) = opA == MatrixOp.None ? (m, k) : (k, m);
        (int bRows, int bCols) = opB == MatrixOp.None ? (k, n) : (n, k);
        T[] a = GemmReference.RandomMatrix<T>(random, aRows, aCols);
        T[] b = GemmReference.RandomMatrix<T>(random, bRows, bCols);
        T[] c = GemmReference.RandomMatrix<T>(random, m, n);
        double[] c0 = Array.ConvertAll(c, double.CreateTruncating);
        double[] t = Enumerable.Range(0, n).Select(_ => (2 * random.NextDouble()) - 1).ToArray();

        Gemm.Multiply(opA, opB, m, n, k, T.CreateTruncating(alpha), a, aCols, b, bCols, T.CreateTruncating(beta), c, n);

        var bt = new double[k];
        var btAbs = new double[k];
        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                double value = double.CreateTruncating(opB == MatrixOp.None ? b[(p * bCols) + j] : b[(j * bCols) + p]);
                bt[p] += value * t[j];
                btAbs[p] += Math.Abs(value * t[j]);
            }
        }

        for (int i = 0; i < m; i++)
        {
            double left = 0;
            double right = 0;
            double magnitude = 0;
            for (int j = 0; j < n; j++)
            {
                left += double.CreateTruncating(c[(i * n) + j]) * t[j];
                right += beta * c0[(i * n) + j] * t[j];
                magnitude += Math.Abs(beta * c0[(i * n) + j] * t[j]);
            }

            for (int p = 0; p < k; p++)
            {
                double value = double.CreateTruncating(opA == MatrixOp.None ? a[(i * aCols) + p] : a[(p * aCols) + i]);
                right += alpha * value * bt[p];
                magnitude += Math.Abs(alpha * value) * btAbs[p];
            }

            double tolerance = GemmReference.Tolerance(k + n, epsilon, magnitude);
            Assert.True(Math.Abs(left - right) <= tolerance, $"{typeof(T).Name} {opA}/{opB} row {i}: C·t = {left}, α·A·(B·t) + β·C₀·t = {right}, tolerance {tolerance}.");
        }
    }
}
