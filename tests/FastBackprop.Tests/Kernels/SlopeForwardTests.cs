using FastBackprop.Tests.Support;
using FastBackprop.Training;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// The training forward's fused pass (bias add, f and f′ in one evaluation, <see cref="ActivationInfo.HasSlopeForward"/>)
/// gives each element the bits of the separate kernels, <see cref="Linear.AddBias"/>, <see cref="Activations.Forward"/>
/// and <see cref="Activations.Backward"/> at dy = 1, for every row shape (rows of whole vectors, rows shorter than a
/// vector, a matrix shorter than one vector), with and without a bias, on the active path; and the training step built
/// on it gives the gradient of the public kernels composed by hand, bit for bit.
/// </summary>
public class SlopeForwardTests
{
    private static readonly (int Rows, int Cols)[] Shapes =
        [.. from rows in Enumerable.Range(1, 5) from cols in Enumerable.Range(1, 40) select (rows, cols), (64, 500), (3, 100), (1, 257)];

    public static IEnumerable<object[]> Kinds =>
        ActivationInfo.All.Where(info => info.HasSlopeForward).Select(info => new object[] { info.Kind });

    [Fact]
    public void Tanh_computes_its_slope_in_the_forward_pass()
    {
        Assert.Equal([ActivationKind.Tanh], ActivationInfo.All.Where(info => info.HasSlopeForward).Select(info => info.Kind));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Float_pass_equals_the_separate_kernels_bit_for_bit(ActivationKind kind) => PassEqualsSeparateKernels<float>(kind);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Double_pass_equals_the_separate_kernels_bit_for_bit(ActivationKind kind) => PassEqualsSeparateKernels<double>(kind);

    /// <summary>
    /// A 3-n-2 tanh network with a mean-squared-error head: <see cref="Mlp{T}.ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Span{T})"/>
    /// against GEMM, the bias add, tanh, its backward and the loss called one by one, every parameter's gradient and
    /// ∂J/∂X bit for bit. Hidden widths 7 and 37 and batches 1 and 64 reach every branch of the fused pass.
    /// </summary>
    [Theory]
    [InlineData(7, 64)]
    [InlineData(37, 64)]
    [InlineData(7, 1)]
    [InlineData(37, 3)]
    public void Training_step_gradient_equals_the_public_kernels_composed(int hidden, int rows)
    {
        var architecture = new MlpArchitecture(
            3, [new DenseLayer(hidden, Activation.Tanh), new DenseLayer(2, Activation.Identity)], LossKind.MeanSquaredError);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(), maxBatch: 64, seed: 3);
        float[] x = Inputs.Uniform<float>(rows * 3, -4, 4, rows);
        float[] targets = Inputs.Uniform<float>(rows * 2, -1, 1, rows + 1);
        float[] inputGradient = new float[rows * 3];
        float loss = network.ComputeGradients(x, targets, rows, inputGradient);

        (int[] weight, int[] bias) = architecture.ParameterOffsets();
        ReadOnlySpan<float> theta = network.Parameters;
        ReadOnlySpan<float> w1 = theta.Slice(weight[0], 3 * hidden);
        ReadOnlySpan<float> w2 = theta.Slice(weight[1], hidden * 2);
        float[] p1 = new float[rows * hidden];
        float[] z1 = new float[rows * hidden];
        float[] z2 = new float[rows * 2];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, rows, hidden, 3, 1f, x, 3, w1, hidden, 0f, p1, hidden);
        Linear.AddBias(theta.Slice(bias[0], hidden), rows, hidden, p1);
        Activations.Tanh<float>(p1, z1);
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, rows, 2, hidden, 1f, z1, hidden, w2, 2, 0f, z2, 2);
        Linear.AddBias(theta.Slice(bias[1], 2), rows, 2, z2);

        float[] delta2 = new float[rows * 2];
        float expectedLoss = Losses.MeanSquaredError<float>(z2, targets, delta2);
        float[] expected = new float[network.ParameterCount];
        float[] delta1 = new float[rows * hidden];
        float[] expectedInputGradient = new float[rows * 3];
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, rows, hidden, 2, 1f, delta2, 2, w2, 2, 0f, delta1, hidden);
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, hidden, 2, rows, 1f, z1, hidden, delta2, 2, 0f, expected.AsSpan(weight[1], hidden * 2), 2);
        Linear.BiasGradient<float>(delta2, rows, 2, expected.AsSpan(bias[1], 2));
        Activations.TanhBackward<float>(p1, delta1, delta1);
        Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, rows, 3, hidden, 1f, delta1, hidden, w1, hidden, 0f, expectedInputGradient, 3);
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, 3, hidden, rows, 1f, x, 3, delta1, hidden, 0f, expected.AsSpan(weight[0], 3 * hidden), hidden);
        Linear.BiasGradient<float>(delta1, rows, hidden, expected.AsSpan(bias[0], hidden));

        Assert.Equal(expectedLoss, loss);
        Assert.Equal(expected, network.Gradients.ToArray());
        Assert.Equal(expectedInputGradient, inputGradient);
    }

    private static void PassEqualsSeparateKernels<T>(ActivationKind kind)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ActivationInfo info = ActivationInfo.Of(kind);
        // The specials (±0, ±∞, NaN, subnormals, exp's edges), then tanh's clamps and where e^(−2|x|) underflows.
        T[] specials =
        [
            .. typeof(T) == typeof(float) ? (T[])(object)Inputs.FloatSpecials : (T[])(object)Inputs.DoubleSpecials,
            .. new[] { 8.9, 9, -9, 9.1, 20, 43.7, -44, 51.9, 52, -52, 53, 372, -373 }.Select(T.CreateTruncating),
        ];
        foreach ((int rows, int cols) in Shapes)
        {
            int n = rows * cols;
            // Values to ±60 reach tanh's saturation in float; the specials land at the start of the matrix, so short
            // shapes meet them in the padded vector.
            T[] input = Inputs.Uniform<T>(n, -60, 60, n);
            specials.AsSpan(0, Math.Min(n, specials.Length)).CopyTo(input);
            T[] bias = Inputs.Uniform<T>(cols, -3, 3, cols);
            foreach (bool withBias in new[] { true, false })
            {
                T[] expectedP = (T[])input.Clone();
                if (withBias)
                {
                    Linear.AddBias<T>(bias, rows, cols, expectedP);
                }

                T[] expectedZ = new T[n];
                T[] expectedSlope = new T[n];
                T[] ones = [.. Enumerable.Repeat(T.One, n)];
                Activations.Forward<T>(info.Default, expectedP, expectedZ);
                Activations.Backward<T>(info.Default, expectedP, ones, expectedSlope);

                foreach (bool keepP in new[] { true, false })
                {
                    T[] p = (T[])input.Clone();
                    T[] z = new T[n];
                    T[] slope = new T[n];
                    info.Kernels<T>().AddBiasWithSlope(withBias ? bias : [], rows, cols, p, keepP, T.Zero, z, slope);

                    // Without keepP, P is read and left as it was.
                    string where = $"{kind} {typeof(T).Name} {rows}×{cols} bias {withBias} keepP {keepP} on {SimdInfo.ActivePath}";
                    AssertSameBits(keepP ? expectedP : input, p, "P", where);
                    AssertSameBits(expectedZ, z, "Z", where);
                    AssertSameBits(expectedSlope, slope, "f′", where);
                }
            }
        }
    }

    private static void AssertSameBits<T>(T[] expected, T[] actual, string what, string where)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = typeof(T) == typeof(float)
                ? BitConverter.SingleToInt32Bits((float)(object)expected[i]) == BitConverter.SingleToInt32Bits((float)(object)actual[i])
                : BitConverter.DoubleToInt64Bits((double)(object)expected[i]) == BitConverter.DoubleToInt64Bits((double)(object)actual[i]);
            Assert.True(same, $"{what}[{i}] of {where}: {actual[i]} where the separate kernels give {expected[i]}");
        }
    }
}
