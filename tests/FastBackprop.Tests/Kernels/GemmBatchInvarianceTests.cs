namespace FastBackprop.Tests.Kernels;

/// <summary>
/// Batch invariance: a row of C depends only on its row of op(A), on op(B), α, β and its row of C — never on how
/// many rows share the call, where the row sits among them, the thread count or the kernel (narrow, unpacked,
/// packed) the size selects. Checked bit for bit on this process's SIMD path (CI runs every path).
/// </summary>
public sealed class GemmBatchInvarianceTests
{
    /// <summary>
    /// (n, k) classes: narrow-eligible (n ≤ 4), narrower than a packed tile (unpacked at any m), wide (packed from
    /// moderate m), k within one k block or over several (KC is 128 on AVX-512, 256 elsewhere), and k = 1 or 2 (the
    /// short-k kernel at k = 1 where op(B)'s row is contiguous, at k = 2 below eight rows; the others elsewhere).
    /// </summary>
    public static TheoryData<int, int> Shapes => new()
    {
        { 2, 1 }, { 500, 1 }, { 1, 2 }, { 500, 2 }, { 2, 500 }, { 3, 37 }, { 4, 300 }, { 10, 256 }, { 16, 64 }, { 70, 300 }, { 130, 129 }, { 256, 784 }, { 784, 256 },
    };

    private static readonly int[] RowCounts =
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 300];

    /// <summary>The row counts of the large shapes (n·k ≥ 10⁵), where every count would take minutes under qemu.</summary>
    private static readonly int[] FewRowCounts = [1, 7, 8, 9, 63, 64, 65, 256];

    private const int Rows = 300;

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_row_of_c_has_the_same_bits_in_a_call_of_any_row_count_at_any_position_and_thread_count(int n, int k)
    {
        foreach (MatrixOp opA in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
        {
            foreach (MatrixOp opB in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
            {
                Check<float>(opA, opB, n, k);
                Check<double>(opA, opB, n, k);
            }
        }
    }

    [Fact]
    public void Every_row_count_from_1_to_300_gives_the_same_rows_on_a_shape_whose_kernel_changes_with_m()
    {
        // n = 2: narrow for m ≤ 8 (m·n·k ≤ 2¹³), then unpacked; k = 500 spans several k blocks.
        var random = new Random(11);
        float[] a = Values<float>(random, Rows * 500);
        float[] b = Values<float>(random, 500 * 2);
        float[] full = new float[Rows * 2];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, Rows, 2, 500, 1f, a, 500, b, 2, 0f, full, 2);
        for (int m = 1; m <= Rows; m++)
        {
            float[] part = new float[m * 2];
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, m, 2, 500, 1f, a.AsSpan(0, m * 500), 500, b, 2, 0f, part, 2);
            AssertBits(full.AsSpan(0, m * 2), part, $"m = {m}");
        }
    }

    /// <summary>
    /// Across the height of one packed A block (MC: 384 rows on AVX-512, 192 elsewhere), where on AVX-512 a plain B
    /// stops being read in place and is packed: rows of an 800-row product against the same rows in calls of 1 to 799
    /// rows and on 2 and 3 threads (400 or 267 rows each), with n = 130 (two whole panels and a partial one on AVX-512).
    /// </summary>
    [Fact]
    public void Rows_have_the_same_bits_on_either_side_of_one_packed_a_block()
    {
        const int tall = 800, n = 130, k = 300;
        foreach (MatrixOp opA in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
        {
            foreach (MatrixOp opB in (MatrixOp[])[MatrixOp.None, MatrixOp.Transpose])
            {
                var random = new Random(23);
                float[] a = Values<float>(random, tall * k);
                float[] b = Values<float>(random, k * n);
                float[] c0 = Values<float>(random, tall * n);
                int lda = opA == MatrixOp.None ? k : tall;
                int ldb = opB == MatrixOp.None ? n : k;
                float[] full = Multiply(opA, opB, tall, n, k, 1.5f, a, lda, b, ldb, 0.5f, c0, threads: 1);
                foreach (int threads in (int[])[2, 3])
                {
                    AssertBits(full, Multiply(opA, opB, tall, n, k, 1.5f, a, lda, b, ldb, 0.5f, c0, threads), $"{opA}/{opB}: {threads} threads");
                }

                foreach (int m in (int[])[1, 6, 191, 192, 193, 383, 384, 385, 799])
                {
                    foreach (int start in (int[])[0, tall - m])
                    {
                        ReadOnlySpan<float> aPart = opA == MatrixOp.None ? a.AsSpan(start * k, m * k) : a.AsSpan(start, ((k - 1) * tall) + m);
                        float[] part = Multiply(opA, opB, m, n, k, 1.5f, aPart, lda, b, ldb, 0.5f, c0.AsSpan(start * n, m * n), threads: 1);
                        AssertBits(full.AsSpan(start * n, m * n), part, $"{opA}/{opB}: rows {start}..{start + m}");
                    }
                }
            }
        }
    }

    private static void Check<T>(MatrixOp opA, MatrixOp opB, int n, int k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(n * 1000 + k);
        T alpha = T.CreateTruncating(0.75);
        T beta = T.CreateTruncating(-0.5);
        // op(A) is Rows × k: stored Rows × k, or k × Rows when transposed (then a row of op(A) is a column of A).
        T[] a = Values<T>(random, Rows * k);
        T[] b = Values<T>(random, k * n);
        T[] c0 = Values<T>(random, Rows * n);
        int lda = opA == MatrixOp.None ? k : Rows;
        int ldb = opB == MatrixOp.None ? n : k;

        T[] full = Multiply(opA, opB, Rows, n, k, alpha, a, lda, b, ldb, beta, c0, threads: 1);
        foreach (int threads in (int[])[2, 3])
        {
            AssertBits(full, Multiply(opA, opB, Rows, n, k, alpha, a, lda, b, ldb, beta, c0, threads), $"{opA}/{opB} {typeof(T).Name} n={n} k={k}: {threads} threads");
        }

        bool large = (long)n * k >= 100_000;
        foreach (int m in large ? FewRowCounts : RowCounts)
        {
            foreach (int start in large ? (int[])[0, Rows - m] : [0, Rows - m, (Rows - m) / 3])
            {
                // Rows start..start+m of op(A) and C: a row offset for plain A, a column offset for transposed A.
                ReadOnlySpan<T> aPart = opA == MatrixOp.None ? a.AsSpan(start * k, m * k) : a.AsSpan(start, ((k - 1) * Rows) + m);
                T[] part = Multiply(opA, opB, m, n, k, alpha, aPart, lda, b, ldb, beta, c0.AsSpan(start * n, m * n), threads: 1);
                AssertBits(full.AsSpan(start * n, m * n), part, $"{opA}/{opB} {typeof(T).Name} n={n} k={k}: rows {start}..{start + m}");
            }
        }
    }

    private static T[] Multiply<T>(
        MatrixOp opA, MatrixOp opB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, T[] b, int ldb, T beta, ReadOnlySpan<T> c0, int threads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] c = c0.ToArray();
        Gemm.Multiply(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, n, threads);
        return c;
    }

    private static T[] Values<T>(Random random, int count)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = T.CreateTruncating((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    private static void AssertBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        int differing = 0;
        int first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]) && !(T.IsNaN(expected[i]) && T.IsNaN(actual[i])))
            {
                differing++;
                first = first < 0 ? i : first;
            }
        }

        Assert.True(differing == 0, $"{what}: {differing} of {expected.Length} elements differ, first at {first}: {(first < 0 ? "" : $"{expected[first]} vs {actual[first]}")}");
    }
}
