namespace FastBackprop.Training;

/// <summary>A network's loss and accuracy on a data set.</summary>
/// <param name="Loss">The loss head's J per row: the mean over rows for every head (sum heads divided by the row count).</param>
/// <param name="Accuracy">Fraction of rows whose predicted class is the label, in [0, 1]; NaN for regression targets, which have no classes.</param>
/// <param name="Rows">Rows evaluated.</param>
public readonly record struct Evaluation(double Loss, double Accuracy, int Rows);

public sealed partial class Mlp<T>
{
    /// <summary>
    /// Runs the network forward on <paramref name="rows"/> inputs and writes its predictions: softmax
    /// probabilities for <see cref="LossKind.SoftmaxCrossEntropy"/>, sigmoid probabilities for
    /// <see cref="LossKind.SigmoidCrossEntropy"/>, the last layer's output Z otherwise.
    /// </summary>
    /// <remarks>
    /// Thread-safe: each call takes its own workspace from the network's pool, which keeps every workspace it
    /// makes, so once it holds one per concurrent caller no call allocates; many threads may predict at once and get
    /// the same results as serial calls.
    /// Must not overlap a training step or <see cref="Initialize"/>, which write the weights. Inputs are processed
    /// in chunks of up to 256 rows; each output row depends only on its input row, bit for bit as far as
    /// <see cref="InferenceModel{T}"/>'s remarks say (every kernel but the short-span element-wise ones on AVX-512).
    /// </remarks>
    /// <param name="x">Inputs <c>[rows × Architecture.Inputs]</c>.</param>
    /// <param name="rows">Number of rows, any non-negative count.</param>
    /// <param name="output">Destination <c>[rows × Architecture.Outputs]</c>.</param>
    /// <exception cref="ArgumentException">
    /// A length does not fit, <c>rows × inputs</c> or <c>rows × outputs</c> exceeds a span's length (named
    /// <paramref name="rows"/>), or <paramref name="output"/> overlaps <paramref name="x"/>.
    /// </exception>
    public void Predict(ReadOnlySpan<T> x, int rows, Span<T> output)
    {
        ThrowIfDisposed();
        Guard.NonNegative(rows, nameof(rows));
        Guard.SameLength(x.Length, Sizes.SpanLength(rows, Architecture.Inputs, nameof(rows), "inputs"), nameof(x), "rows × inputs");
        Guard.SameLength(output.Length, Sizes.SpanLength(rows, Architecture.Outputs, nameof(rows), "outputs"), nameof(output), "rows × outputs");
        Guard.NoOverlap(x, output, nameof(x), nameof(output));
        Workspace<T> workspace = _inference.Get();
        try
        {
            int inputs = Architecture.Inputs;
            int outputs = Architecture.Outputs;
            for (int start = 0; start < rows; start += workspace.Capacity)
            {
                int chunk = Math.Min(workspace.Capacity, rows - start);
                Forward(workspace, x.Slice(start * inputs, chunk * inputs), chunk);
                ForwardPass<T>.Probabilities(Architecture.Loss, outputs, workspace.Post[^1].AsSpan(0, chunk * outputs), chunk, output.Slice(start * outputs, chunk * outputs));
            }
        }
        finally
        {
            _inference.Return(workspace);
        }
    }

    /// <summary>Loss and accuracy of the network on <paramref name="data"/> (no parameter changes).</summary>
    /// <remarks>Thread-safe like <see cref="Predict"/>.</remarks>
    /// <exception cref="ArgumentException">The data's feature count is not <c>Architecture.Inputs</c>, a label is out of range, or its target count is not <c>Architecture.Outputs</c>.</exception>
    public Evaluation Evaluate(Dataset<T> data)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(data);
        CheckData(data, nameof(data));
        Workspace<T> workspace = _inference.Get();
        try
        {
            int inputs = Architecture.Inputs;
            int outputs = Architecture.Outputs;
            double loss = 0;
            int correct = 0;
            for (int start = 0; start < data.Rows; start += workspace.Capacity)
            {
                int chunk = Math.Min(workspace.Capacity, data.Rows - start);
                Forward(workspace, data.Features.Slice(start * inputs, chunk * inputs), chunk);
                Span<T> delta = workspace.Delta[^1].AsSpan(0, chunk * outputs);
                double chunkLoss;
                if (data.HasTargets)
                {
                    chunkLoss = double.CreateTruncating(LossAndGradient(workspace, chunk, data.Targets.Slice(start * outputs, chunk * outputs), [], delta));
                }
                else
                {
                    ReadOnlySpan<int> labels = data.Labels.Slice(start, chunk);
                    chunkLoss = double.CreateTruncating(LabelLossAndGradient(workspace, chunk, labels, delta));
                    correct += CountCorrect(workspace.Post[^1].AsSpan(0, chunk * outputs), chunk, outputs, labels, LogitThreshold);
                }

                loss += LossIsMean ? chunkLoss * chunk : chunkLoss;
            }

            double accuracy = data.HasTargets ? double.NaN : data.Rows == 0 ? 0 : (double)correct / data.Rows;
            return new Evaluation(data.Rows == 0 ? 0 : loss / data.Rows, accuracy, data.Rows);
        }
        finally
        {
            _inference.Return(workspace);
        }
    }
}
