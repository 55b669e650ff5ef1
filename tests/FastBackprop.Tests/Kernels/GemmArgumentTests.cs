namespace FastBackprop.Tests.Kernels;

/// <summary>Bad arguments throw ArgumentException naming the parameter and the sizes, before C is written.</summary>
public class GemmArgumentTests
{
    private const int M = 3, N = 4, K = 5;

    /// <summary>
    /// One bad argument per row: the parameter the exception must name, then the call's (opA, opB, m, n, k, lengths
    /// of a, b, c, lda, ldb, ldc, threads). The valid call is NN 3×4×5 with tight strides.
    /// </summary>
    public static IEnumerable<object[]> BadArguments() =>
    [
        ["m", 0, 0, -1, N, K, 15, 20, 12, K, N, N, 1 ],
        ["n", 0, 0, M, -1, K, 15, 20, 12, K, N, N, 1 ],
        ["k", 0, 0, M, N, -1, 15, 20, 12, K, N, N, 1 ],
        ["threads", 0, 0, M, N, K, 15, 20, 12, K, N, N, -1 ],
        ["opA", 2, 0, M, N, K, 15, 20, 12, K, N, N, 1 ],
        ["opB", 0, -1, M, N, K, 15, 20, 12, K, N, N, 1 ],
        ["lda", 0, 0, M, N, K, 15, 20, 12, K - 1, N, N, 1 ],
        ["lda", 1, 0, M, N, K, 15, 20, 12, M - 1, N, N, 1 ],
        ["ldb", 0, 0, M, N, K, 15, 20, 12, K, N - 1, N, 1 ],
        ["ldb", 0, 1, M, N, K, 15, 20, 12, K, K - 1, N, 1 ],
        ["ldc", 0, 0, M, N, K, 15, 20, 12, K, N, N - 1, 1 ],
        ["a", 0, 0, M, N, K, 14, 20, 12, K, N, N, 1 ],
        ["a", 0, 0, M, N, K, 16, 20, 12, K + 1, N, N, 1 ],
        ["b", 0, 0, M, N, K, 15, 19, 12, K, N, N, 1 ],
        ["b", 0, 1, M, N, K, 15, 19, 12, K, K, N, 1 ],
        ["c", 0, 0, M, N, K, 15, 20, 11, K, N, N, 1 ],
        ["c", 0, 0, M, N, K, 15, 20, 12, K, N, N + 1, 1 ],
        ["a", 0, 0, 2, 2, int.MaxValue, 15, 20, 4, int.MaxValue, 2, 2, 1 ],
    ];

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_sizes_strides_and_ops_throw_naming_the_parameter_before_writing(
        string parameter, int opA, int opB, int m, int n, int k, int aLength, int bLength, int cLength, int lda, int ldb, int ldc, int threads)
    {
        float[] a = new float[aLength];
        float[] b = new float[bLength];
        float[] c = Enumerable.Repeat(float.NaN, cLength).ToArray();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply((MatrixOp)opA, (MatrixOp)opB, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc, threads));
        Assert.Equal(parameter, error.ParamName);
        Assert.Matches("[0-9]", error.Message);
        Assert.All(c, value => Assert.True(float.IsNaN(value)));
    }

    [Fact]
    public void C_overlapping_A_or_B_throws_before_writing()
    {
        double[] memory = Enumerable.Repeat(1.0, 100).ToArray();
        var overA = Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply<double>(MatrixOp.None, MatrixOp.None, 4, 4, 5, 1, memory.AsSpan(0, 20), 5, memory.AsSpan(50, 20), 4, 0, memory.AsSpan(15, 16), 4));
        Assert.Equal("c", overA.ParamName);
        var overB = Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply<double>(MatrixOp.None, MatrixOp.None, 4, 4, 5, 1, memory.AsSpan(0, 20), 5, memory.AsSpan(50, 20), 4, 0, memory.AsSpan(60, 16), 4));
        Assert.Equal("c", overB.ParamName);
        Assert.All(memory, value => Assert.Equal(1, value));
    }

    [Fact]
    public void C_beside_A_and_B_in_one_array_is_accepted()
    {
        double[] memory = new double[56];
        Array.Fill(memory, 1);
        Gemm.Multiply<double>(MatrixOp.None, MatrixOp.None, 4, 4, 5, 1, memory.AsSpan(0, 20), 5, memory.AsSpan(20, 20), 4, 0, memory.AsSpan(40, 16), 4);
        Assert.All(memory.AsSpan(40).ToArray(), value => Assert.Equal(5, value));
    }

    [Fact]
    public void Unsupported_element_types_are_rejected()
    {
        Assert.Throws<NotSupportedException>(() =>
            Gemm.Multiply<Half>(MatrixOp.None, MatrixOp.None, 1, 1, 1, Half.One, new Half[1], 1, new Half[1], 1, Half.Zero, new Half[1], 1));
    }
}
