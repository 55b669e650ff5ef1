using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// The element-wise and row kernels touch nothing outside their spans: every input and output lies flush against an
/// inaccessible page (<see cref="GuardedMemory{T}"/>), at its end or at its start, for every length to 70 and
/// a few beyond (whole vectors, the overlapping last vector, a zero-padded short span), and every row shape to 5 × 40.
/// One element read or written past a span kills the test host. Values are checked elsewhere; here the property is
/// that the call returns.
/// </summary>
public class ElementwiseBoundsTests
{
    private static readonly int[] Lengths = [.. Enumerable.Range(0, 71), 100, 257];

    [Fact]
    public void Activations_losses_and_updates_stay_inside_their_spans()
    {
        // CI runs Linux on every path (qemu-user included); elsewhere there is no portable way to map a guard page.
        if (!GuardedMemory<float>.IsSupported)
        {
            return;
        }

        foreach (bool flushWithStart in new[] { false, true })
        {
            foreach (int n in Lengths)
            {
                using var x = Filled<float>(n, flushWithStart, 1);
                using var dy = Filled<float>(n, flushWithStart, 2);
                using var output = Filled<float>(n, flushWithStart, 3);
                using var state = Filled<float>(n, flushWithStart, 4);
                using var secondState = new GuardedMemory<float>(n, flushWithStart);
                secondState.Span.Fill(0.5f);
                foreach (ActivationInfo info in ActivationInfo.All)
                {
                    Activations.Forward<float>(info.Default, x.Span, output.Span);
                    Activations.Backward<float>(info.Default, x.Span, dy.Span, output.Span);
                    if (info.Default.SupportsBackwardFromOutput)
                    {
                        Activations.BackwardFromOutput<float>(info.Default, x.Span, dy.Span, output.Span);
                    }
                }

                _ = Losses.SquaredErrorSum<float>(x.Span, dy.Span, output.Span);
                _ = Losses.MeanSquaredError<float>(x.Span, dy.Span, output.Span);
                _ = Losses.SigmoidCrossEntropy<float>(x.Span, state.Span, output.Span);
                Linear.Axpy(0.5f, x.Span, output.Span);
                Linear.Scale(0.5f, output.Span);
                ParameterUpdates.Sgd(0.1f, 1f, dy.Span, output.Span);
                ParameterUpdates.Momentum(0.1f, 0.9f, 1f, dy.Span, output.Span, state.Span);
                ParameterUpdates.Adam(AdamCoefficients<float>.ForStep(0.001, 0.9, 0.999, 1e-8, 1), 1f, dy.Span, output.Span, state.Span, secondState.Span);
            }
        }
    }

    [Fact]
    public void Row_kernels_bias_and_softmax_stay_inside_their_spans()
    {
        if (!GuardedMemory<float>.IsSupported)
        {
            return;
        }

        foreach (bool flushWithStart in new[] { false, true })
        {
            for (int rows = 1; rows <= 5; rows++)
            {
                for (int cols = 1; cols <= 40; cols++)
                {
                    int n = rows * cols;
                    using var x = Filled<double>(n, flushWithStart, 1);
                    using var dy = Filled<double>(n, flushWithStart, 2);
                    using var output = Filled<double>(n, flushWithStart, 3);
                    using var bias = Filled<double>(cols, flushWithStart, 4);
                    using var labels = new GuardedMemory<int>(rows, flushWithStart);
                    for (int r = 0; r < rows; r++)
                    {
                        labels.Span[r] = r % cols;
                    }

                    Activations.Softmax<double>(x.Span, rows, cols, output.Span);
                    Activations.SoftmaxBackwardFromOutput<double>(output.Span, dy.Span, rows, cols, x.Span);
                    Activations.LogSoftmax<double>(dy.Span, rows, cols, output.Span);
                    Activations.LogSoftmaxBackwardFromOutput<double>(output.Span, dy.Span, rows, cols, x.Span);
                    _ = Losses.SoftmaxCrossEntropy<double>(dy.Span, labels.Span, rows, cols, output.Span);
                    Activations.Softmax<double>(dy.Span, rows, cols, x.Span);
                    _ = Losses.SoftmaxCrossEntropy<double>(dy.Span, x.Span, rows, cols, output.Span);
                    Linear.AddBias<double>(bias.Span, rows, cols, output.Span);
                    Linear.BiasGradient<double>(dy.Span, rows, cols, bias.Span);
                }
            }
        }
    }

    /// <summary>
    /// The training forward's fused pass (bias add, f and f′) for every activation that has one, in float (the table
    /// path on AVX-512) and double, with and without a bias: rows of whole vectors, rows shorter than a vector (the
    /// flat window of b) and matrices shorter than one vector (the padded copy).
    /// </summary>
    [Fact]
    public void Slope_forward_stays_inside_its_spans()
    {
        if (!GuardedMemory<float>.IsSupported)
        {
            return;
        }

        foreach (ActivationInfo info in ActivationInfo.All.Where(info => info.HasSlopeForward))
        {
            SlopeForwardStaysInside<float>(info);
            SlopeForwardStaysInside<double>(info);
        }
    }

    private static void SlopeForwardStaysInside<T>(ActivationInfo info)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (bool flushWithStart in new[] { false, true })
        {
            for (int rows = 1; rows <= 5; rows++)
            {
                for (int cols = 1; cols <= 40; cols++)
                {
                    int n = rows * cols;
                    using var p = Filled<T>(n, flushWithStart, 1);
                    using var z = Filled<T>(n, flushWithStart, 2);
                    using var slope = Filled<T>(n, flushWithStart, 3);
                    using var bias = Filled<T>(cols, flushWithStart, 4);
                    foreach (bool keepP in new[] { true, false })
                    {
                        info.Kernels<T>().AddBiasWithSlope(bias.Span, rows, cols, p.Span, keepP, T.Zero, z.Span, slope.Span);
                        info.Kernels<T>().AddBiasWithSlope([], rows, cols, p.Span, keepP, T.Zero, z.Span, slope.Span);
                    }
                }
            }
        }
    }

    private static GuardedMemory<T> Filled<T>(int length, bool flushWithStart, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var memory = new GuardedMemory<T>(length, flushWithStart);
        Inputs.Uniform<T>(length, -2, 2, seed).CopyTo(memory.Span);
        return memory;
    }
}
