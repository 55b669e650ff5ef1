using System.Runtime.InteropServices;

using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// Spans that share memory through <see cref="MemoryMarshal.Cast{TFrom, TTo}(Span{TFrom})"/> or a strided layout: every
/// alias that would let a kernel read what it has already written is rejected before anything is written, and every
/// layout the documentation allows is accepted and computed exactly.
/// </summary>
public class AliasingTests
{
    /// <summary>Short rows run the four-rows-at-a-time driver on AVX-512, long rows the row-wise one.</summary>
    public static TheoryData<int> CrossEntropyWidths() => [3, 10, 16, 17, 40];

    [Theory]
    [MemberData(nameof(CrossEntropyWidths))]
    public void Softmax_cross_entropy_rejects_labels_cast_from_the_gradient(int cols) =>
        RejectsLabelsInTheGradient<float>(cols);

    [Theory]
    [MemberData(nameof(CrossEntropyWidths))]
    public void Softmax_cross_entropy_rejects_labels_cast_from_the_gradient_in_double(int cols) =>
        RejectsLabelsInTheGradient<double>(cols);

    [Theory]
    [MemberData(nameof(CrossEntropyWidths))]
    public void Softmax_cross_entropy_rejects_labels_cast_from_logits_overwritten_in_place(int cols)
    {
        const int Rows = 9;
        float[] logits = new float[Rows * cols];
        float[] before = (float[])logits.Clone();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Losses.SoftmaxCrossEntropy<float>(logits, MemoryMarshal.Cast<float, int>(logits.AsSpan()).Slice(cols, Rows), Rows, cols, logits));
        Assert.Equal("gradient", error.ParamName);
        Assert.Equal(before, logits);
    }

    [Fact]
    public void Softmax_cross_entropy_reads_labels_cast_from_logits_it_does_not_write()
    {
        const int Rows = 7, Cols = 10;
        double[] logits = Inputs.Uniform<double>(Rows * Cols, -3, 3, 5);
        Span<int> aliased = MemoryMarshal.Cast<double, int>(logits.AsSpan()).Slice(2 * Rows, Rows);
        for (int r = 0; r < Rows; r++)
        {
            aliased[r] = (r * 3) % Cols;
        }

        int[] copied = aliased.ToArray();
        double[] expected = new double[logits.Length];
        double[] actual = new double[logits.Length];
        double expectedLoss = Losses.SoftmaxCrossEntropy<double>(logits, copied, Rows, Cols, expected);
        double actualLoss = Losses.SoftmaxCrossEntropy<double>(logits, MemoryMarshal.Cast<double, int>(logits.AsSpan()).Slice(2 * Rows, Rows), Rows, Cols, actual);
        Assert.Equal(expectedLoss, actualLoss);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Element_wise_destination_cast_at_a_part_element_offset_is_a_partial_overlap()
    {
        byte[] memory = new byte[(4 * 32) + 1];
        MemoryMarshal.Cast<byte, float>(memory.AsSpan(0, 4 * 32)).Fill(1f);
        byte[] before = (byte[])memory.Clone();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Activations.Sigmoid<float>(MemoryMarshal.Cast<byte, float>(memory.AsSpan(0, 4 * 32)), MemoryMarshal.Cast<byte, float>(memory.AsSpan(1, 4 * 32))));
        Assert.Equal("y", error.ParamName);
        Assert.Equal(before, memory);
    }

    [Fact]
    public void Gemm_accepts_c_in_the_gaps_between_the_rows_of_a()
    {
        // A uses columns 0..40 of a 99-wide buffer, C columns 41..98: the layout, for both ops of B.
        const int M = 6, K = 41, N = 58, Stride = 99;
        foreach (MatrixOp opB in new[] { MatrixOp.None, MatrixOp.Transpose })
        {
            var random = new Random(11);
            float[] memory = GemmReference.RandomMatrix<float>(random, M, Stride);
            double[] a = Array.ConvertAll(memory, value => (double)value);
            int ldb = opB == MatrixOp.None ? N : K;
            float[] b = GemmReference.RandomMatrix<float>(random, opB == MatrixOp.None ? K : N, ldb);
            Gemm.Multiply<float>(MatrixOp.None, opB, M, N, K, 1f, memory, Stride, b, ldb, 0f, memory.AsSpan(K), Stride);
            (double[] expected, double[] magnitude) = GemmReference.Multiply(
                MatrixOp.None, opB, M, N, K, 1, a, Stride, Array.ConvertAll(b, value => (double)value), ldb, 0, [], 0);
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < K; j++)
                {
                    Assert.Equal(a[(i * Stride) + j], memory[(i * Stride) + j]);
                }

                for (int j = 0; j < N; j++)
                {
                    double tolerance = GemmReference.Tolerance(K, Math.Pow(2, -23), magnitude[(i * N) + j]);
                    Assert.True(Math.Abs(memory[(i * Stride) + K + j] - expected[(i * N) + j]) <= tolerance, $"{opB}: C[{i}, {j}]");
                }
            }
        }
    }

    [Fact]
    public void Gemm_rejects_c_that_reaches_one_used_column_of_a()
    {
        // A 4 × 5 with stride 8 (gaps at columns 5..7); a 3 × 3 C with stride 8 from column 5 fits the gaps, from
        // column 4 it touches A's last used column on every row.
        double[] memory = Enumerable.Repeat(2.0, 64).ToArray();
        double[] b = Enumerable.Repeat(1.0, 15).ToArray();
        Gemm.Multiply<double>(MatrixOp.None, MatrixOp.None, 3, 3, 5, 1, memory, 8, b, 3, 0, memory.AsSpan(5), 8);
        Assert.Equal(10, memory[5]);
        double[] before = (double[])memory.Clone();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply<double>(MatrixOp.None, MatrixOp.None, 3, 3, 5, 1, memory, 8, b, 3, 0, memory.AsSpan(4), 8));
        Assert.Equal("c", error.ParamName);
        Assert.Contains("row 0", error.Message);
        Assert.Equal(before, memory);
    }

    [Fact]
    public void Gemm_rejects_c_whose_second_row_meets_a_transposed_a()
    {
        // A stored k × m = 4 × 3 with stride 10 uses 0..2, 10..12, 20..22, 30..32. A 2 × 3 C from 3 with stride 20
        // (3..5, 23..25) lies in the gaps; with stride 17 its second row (20..22) is A's stored row 2.
        float[] memory = Enumerable.Repeat(1f, 64).ToArray();
        float[] b = Enumerable.Repeat(1f, 12).ToArray();
        Gemm.Multiply<float>(MatrixOp.Transpose, MatrixOp.None, 2, 3, 4, 1f, memory, 10, b, 3, 0f, memory.AsSpan(3), 20);
        Assert.Equal([4f, 4f, 4f], memory[3..6]);
        Assert.Equal([4f, 4f, 4f], memory[23..26]);
        float[] before = (float[])memory.Clone();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply<float>(MatrixOp.Transpose, MatrixOp.None, 2, 3, 4, 1f, memory, 10, b, 3, 0f, memory.AsSpan(3), 17));
        Assert.Equal("c", error.ParamName);
        Assert.Contains("row 1", error.Message);
        Assert.Equal(before, memory);
    }

    [Fact]
    public void Gemm_rejects_c_cast_at_a_part_element_offset_into_b()
    {
        byte[] memory = new byte[4 * 64];
        Span<float> b = MemoryMarshal.Cast<byte, float>(memory.AsSpan(0, 4 * 16));
        b.Fill(1f);
        float[] a = Enumerable.Repeat(1f, 16).ToArray();
        byte[] before = (byte[])memory.Clone();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply<float>(MatrixOp.None, MatrixOp.None, 4, 4, 4, 1f, a, 4,
                MemoryMarshal.Cast<byte, float>(memory.AsSpan(0, 4 * 16)), 4, 0f, MemoryMarshal.Cast<byte, float>(memory.AsSpan(62, 4 * 16)), 4));
        Assert.Equal("c", error.ParamName);
        Assert.Equal(before, memory);
    }

    private static void RejectsLabelsInTheGradient<T>(int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int Rows = 9;
        T[] logits = Inputs.Uniform<T>(Rows * cols, -4, 4, cols);
        T[] gradient = new T[Rows * cols];

        // Valid labels (all 0) at entry, in the gradient's first bytes: the first gradient row written would turn the
        // later rows' labels into the bit patterns of probabilities, far out of range (the crash this test catches).
        T[] before = (T[])gradient.Clone();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Losses.SoftmaxCrossEntropy<T>(logits, MemoryMarshal.Cast<T, int>(gradient.AsSpan())[..Rows], Rows, cols, gradient));
        Assert.Equal("gradient", error.ParamName);
        Assert.Equal(before, gradient);
    }
}
