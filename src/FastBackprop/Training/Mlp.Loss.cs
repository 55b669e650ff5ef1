namespace FastBackprop.Training;

public sealed partial class Mlp<T>
{
    // loss head: J and ∂J/∂Z_{L−1} [B × n_L] in one kernel call. For the cross-entropy heads Z_{L−1} = P_{L−1}
    // are logits and the gradient already includes the softmax / sigmoid: (softmax(z) − y)/B, (σ(z) − y)/(B·n_L).

    private T LossAndGradient(Workspace<T> workspace, int rows, ReadOnlySpan<T> targets, ReadOnlySpan<int> labels, Span<T> gradient)
    {
        int outputs = Architecture.Outputs;
        ReadOnlySpan<T> z = workspace.Post[^1].AsSpan(0, rows * outputs);
        return Architecture.Loss switch
        {
            LossKind.SquaredErrorSum => Losses.SquaredErrorSum(z, targets, gradient),
            LossKind.HalfSquaredErrorSum => Losses.HalfSquaredErrorSum(z, targets, gradient),
            LossKind.MeanSquaredError => Losses.MeanSquaredError(z, targets, gradient),
            LossKind.SoftmaxCrossEntropy when labels.Length > 0 => Losses.SoftmaxCrossEntropy(z, labels, rows, outputs, gradient),
            LossKind.SoftmaxCrossEntropy => Losses.SoftmaxCrossEntropy(z, targets, rows, outputs, gradient),
            _ => Losses.SigmoidCrossEntropy(z, targets, gradient),
        };
    }

    /// <summary>Labels go straight to softmax cross-entropy; other heads get them as one-hot rows (the label itself for one output).</summary>
    private T LabelLossAndGradient(Workspace<T> workspace, int rows, ReadOnlySpan<int> labels, Span<T> gradient)
    {
        if (Architecture.Loss == LossKind.SoftmaxCrossEntropy)
        {
            return LossAndGradient(workspace, rows, [], labels, gradient);
        }

        int outputs = Architecture.Outputs;
        Span<T> targets = workspace.Targets.AsSpan(0, rows * outputs);
        targets.Clear();
        for (int r = 0; r < rows; r++)
        {
            if (outputs == 1)
            {
                targets[r] = T.CreateTruncating(labels[r]);
            }
            else
            {
                targets[r * outputs + labels[r]] = T.One;
            }
        }

        return LossAndGradient(workspace, rows, targets, [], gradient);
    }

    /// <summary>
    /// Rows of <paramref name="output"/> (<c>[rows × outputs]</c>, logits or probabilities) whose predicted class
    /// equals the label: the index of the row's maximum (the first on ties), or for one output whether it exceeds
    /// <paramref name="threshold"/> (0 for logits, ½ for probabilities).
    /// </summary>
    internal static int CountCorrect(ReadOnlySpan<T> output, int rows, int outputs, ReadOnlySpan<int> labels, T threshold)
    {
        int correct = 0;
        for (int r = 0; r < rows; r++)
        {
            correct += ForwardPass<T>.PredictedClass(output.Slice(r * outputs, outputs), threshold) == labels[r] ? 1 : 0;
        }

        return correct;
    }

    /// <summary>The one-output decision threshold on <see cref="LastOutput"/>: 0 for logits, ½ otherwise.</summary>
    internal T LogitThreshold => ForwardPass<T>.Threshold(Architecture.Loss);

    /// <summary>Whether a head's J is a mean over the batch (else a sum): how to combine the J of several batches.</summary>
    internal bool LossIsMean => LossInfo.Of(Architecture.Loss).IsMean;
}
