namespace FastBackprop.Training;

/// <summary>The loss head of an <see cref="Mlp{T}"/>: what the last layer's output is compared with; <see cref="LossInfo.All"/> describes each.</summary>
/// <remarks>
/// Each member's kernel is the <see cref="Losses"/> function of the same name (<see cref="Losses.MeanSquaredError"/> for
/// <see cref="MeanSquaredError"/>, and so on), which the network calls on the last layer's output. Checkpoints store a
/// kind as its number: a new kind is appended, and no value is ever renumbered.
/// </remarks>
public enum LossKind
{
    /// <summary>
    /// <c>J = Σ_rows Σ_k (z_k − y_k)²</c>, gradient <c>2(z − y)</c>, summed over the batch.
    /// The last layer's activation (any) is part of the network.
    /// </summary>
    SquaredErrorSum = 0,

    /// <summary><c>J = ½ Σ_rows Σ_k (y_k − z_k)²</c>, gradient <c>z − y</c>, summed over the batch.</summary>
    HalfSquaredErrorSum = 1,

    /// <summary><c>J = (1/(N·K)) Σ (z − y)²</c>, gradient <c>2(z − y)/(N·K)</c>: the mean over batch and outputs.</summary>
    MeanSquaredError = 2,

    /// <summary>
    /// Row-wise softmax of the last layer's output (logits; its activation must be Identity) with cross-entropy,
    /// mean over the batch: <c>J = −(1/N) Σ_rows log softmax(z)_label</c>, gradient <c>(softmax(z) − onehot)/N</c>.
    /// Predictions are the softmax probabilities.
    /// </summary>
    SoftmaxCrossEntropy = 3,

    /// <summary>
    /// Element-wise sigmoid of the last layer's output (logits; its activation must be Identity) with binary
    /// cross-entropy computed from the logits, mean over all N·K elements of the batch: gradient
    /// <c>(σ(z) − y)/(N·K)</c>, which never
    /// vanishes the way <c>σ′</c> does where the sigmoid saturates. Predictions are the sigmoid probabilities.
    /// </summary>
    SigmoidCrossEntropy = 4,
}
