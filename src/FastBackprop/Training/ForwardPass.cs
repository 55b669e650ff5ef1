using System.Buffers;

namespace FastBackprop.Training;

/// <summary>
/// The forward pass and the prediction head, written once for <see cref="Mlp{T}"/> and <see cref="InferenceModel{T}"/>
/// so that the two compute every output with the same kernel calls and therefore the same bits.
/// </summary>
internal static class ForwardPass<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    // for l = 0..L−1, P_l[B × n_l] = Z_{l−1}[B × n_{l−1}] · W_l[n_{l−1} × n_l] (+ b_l), Z_l = f_l(P_l), Z_{−1} = X

    /// <summary>Writes P_l into <paramref name="pre"/>[l] and Z_l into <paramref name="post"/>[l] for <paramref name="rows"/> rows of <paramref name="x"/>.</summary>
    /// <param name="architecture">The layers.</param>
    /// <param name="parameters">The parameter vector, laid out by <paramref name="weightOffset"/> and <paramref name="biasOffset"/>.</param>
    /// <param name="weightOffset">Where layer l's W starts (<see cref="MlpArchitecture.ParameterOffsets"/>).</param>
    /// <param name="biasOffset">Where layer l's b starts, −1 without one.</param>
    /// <param name="pre">Per layer, at least <c>rows × n_l</c> elements.</param>
    /// <param name="post">Per layer, at least <c>rows × n_l</c> elements; the same array as <paramref name="pre"/>[l] where f_l is Identity.</param>
    /// <param name="x">Inputs <c>[rows × n_0]</c>.</param>
    /// <param name="rows">Batch size B.</param>
    /// <param name="threads">GEMM threads.</param>
    /// <param name="slope">
    /// A training pass's f′(P_l) per layer, <c>rows × n_l</c> elements, written with Z_l in one pass by
    /// <see cref="ActivationInfo.HasSlopeForward"/> activations; null per layer or as a whole where not wanted. P_l
    /// and Z_l get the same bits either way.
    /// </param>
    /// <param name="keepPre">
    /// Whether a layer with a slope stores P_l (with its bias) into <paramref name="pre"/>; without, pre[l] keeps X·W
    /// before the bias, for a pass whose backward reads only Z_l and f′(P_l).
    /// </param>
    public static void Run(
        MlpArchitecture architecture, ReadOnlySpan<T> parameters, int[] weightOffset, int[] biasOffset,
        T[][] pre, T[][] post, ReadOnlySpan<T> x, int rows, int threads, T[]?[]? slope = null, bool keepPre = true)
    {
        ReadOnlySpan<T> input = x;
        for (int l = 0; l < architecture.Layers.Count; l++)
        {
            DenseLayer layer = architecture.Layers[l];
            int inputs = architecture.InputsOf(l);
            int outputs = layer.Outputs;
            Span<T> p = pre[l].AsSpan(0, rows * outputs);
            Span<T> z = post[l].AsSpan(0, rows * outputs);

            // P = Z_prev · W: (B × n_in) · (n_in × n_out)
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, rows, outputs, inputs,
                T.One, input, inputs, parameters.Slice(weightOffset[l], inputs * outputs), outputs, T.Zero, p, outputs, threads);
            if (slope?[l] is { } layerSlope)
            {
                // P[r, :] += b, Z = f(P), S = f′(P) in one pass
                ReadOnlySpan<T> bias = layer.HasBias ? parameters.Slice(biasOffset[l], outputs) : [];
                ActivationInfo.Of(layer.Activation.Kind).Kernels<T>().AddBiasWithSlope(
                    bias, rows, outputs, p, keepPre, T.CreateTruncating(layer.Activation.Alpha), z, layerSlope.AsSpan(0, rows * outputs));
                input = z;
                continue;
            }

            if (layer.HasBias)
            {
                // P[r, :] += b
                Linear.AddBias(parameters.Slice(biasOffset[l], outputs), rows, outputs, p);
            }

            if (layer.Activation.Kind != ActivationKind.Identity)
            {
                Activations.Forward(layer.Activation, p, z);
            }

            input = z;
        }
    }

    /// <summary>
    /// The head's prediction from the last layer's output Z <c>[rows × outputs]</c>: row-wise softmax for
    /// <see cref="LossKind.SoftmaxCrossEntropy"/>, sigmoid for <see cref="LossKind.SigmoidCrossEntropy"/>, Z itself for
    /// the squared-error heads.
    /// </summary>
    public static void Probabilities(LossKind loss, int outputs, ReadOnlySpan<T> z, int rows, Span<T> output)
    {
        switch (loss)
        {
            case LossKind.SoftmaxCrossEntropy:
                Activations.Softmax(z, rows, outputs, output);
                break;
            case LossKind.SigmoidCrossEntropy:
                Activations.Sigmoid(z, output);
                break;
            default:
                z.CopyTo(output);
                break;
        }
    }

    /// <summary>
    /// The predicted class of one row of Z (logits for the cross-entropy heads): the index of its maximum, the
    /// first on ties; for one output, 1 where it exceeds <paramref name="threshold"/> (<see cref="Threshold"/>), else 0.
    /// </summary>
    public static int PredictedClass(ReadOnlySpan<T> row, T threshold)
    {
        if (row.Length == 1)
        {
            return row[0] > threshold ? 1 : 0;
        }

        int predicted = 0;
        for (int k = 1; k < row.Length; k++)
        {
            if (row[k] > row[predicted])
            {
                predicted = k;
            }
        }

        return predicted;
    }

    /// <summary>The one-output decision threshold on Z: 0 for logits (σ(0) = ½), ½ for the squared-error heads' values.</summary>
    public static T Threshold(LossKind loss) => loss == LossKind.SigmoidCrossEntropy ? T.Zero : T.CreateTruncating(0.5);
}

/// <summary>
/// What one forward pass of up to <see cref="Capacity"/> rows writes, and nothing for a backward pass: the scaled
/// inputs <c>Input[Capacity × n_0]</c> (empty when no scaling applies), and per layer <c>Pre[l]</c> = P_l and
/// <c>Post[l]</c> = Z_l (the same array when f is Identity), <c>[Capacity × n_l]</c>; rented from
/// <see cref="ArrayPool{T}.Shared"/> and returned on <see cref="Dispose"/>.
/// </summary>
internal sealed class ForwardWorkspace<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public ForwardWorkspace(MlpArchitecture architecture, int capacity, bool scaled)
    {
        Capacity = capacity;
        Input = scaled ? ArrayPool<T>.Shared.Rent(checked(capacity * architecture.Inputs)) : [];
        Pre = new T[architecture.Layers.Count][];
        Post = new T[architecture.Layers.Count][];
        for (int l = 0; l < Pre.Length; l++)
        {
            DenseLayer layer = architecture.Layers[l];
            int size = checked(capacity * layer.Outputs);
            Pre[l] = ArrayPool<T>.Shared.Rent(size);
            Post[l] = layer.Activation.Kind == ActivationKind.Identity ? Pre[l] : ArrayPool<T>.Shared.Rent(size);
        }
    }

    /// <summary>Rows this workspace holds.</summary>
    public int Capacity { get; }

    /// <summary>Scaled inputs, or empty.</summary>
    public T[] Input { get; }

    /// <summary>P_l per layer.</summary>
    public T[][] Pre { get; }

    /// <summary>Z_l per layer.</summary>
    public T[][] Post { get; }

    public void Dispose()
    {
        if (Input.Length > 0)
        {
            ArrayPool<T>.Shared.Return(Input);
        }

        for (int l = 0; l < Pre.Length; l++)
        {
            if (!ReferenceEquals(Post[l], Pre[l]))
            {
                ArrayPool<T>.Shared.Return(Post[l]);
            }

            ArrayPool<T>.Shared.Return(Pre[l]);
        }
    }
}
