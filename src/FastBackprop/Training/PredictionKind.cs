namespace FastBackprop.Training;

/// <summary>What <see cref="InferenceModel{T}.Predict"/> writes for each row.</summary>
public enum PredictionKind
{
    /// <summary>
    /// The head's prediction, as <see cref="Mlp{T}.Predict"/> writes it: softmax probabilities for
    /// <see cref="LossKind.SoftmaxCrossEntropy"/>, sigmoid probabilities for <see cref="LossKind.SigmoidCrossEntropy"/>,
    /// the last layer's output Z for the squared-error heads.
    /// </summary>
    Probabilities,

    /// <summary>The last layer's output Z itself: logits for the cross-entropy heads (the same as <see cref="Probabilities"/> for the others).</summary>
    Logits,
}
