using FastBackprop.Simd;

namespace FastBackprop.Training;

public sealed partial class Mlp<T>
{
    /// <summary>
    /// Forward, loss and backward for one batch with dense targets, leaving ∂J/∂θ in <see cref="Gradients"/>;
    /// the parameters are not changed.
    /// </summary>
    /// <param name="x">Inputs <c>[rows × Architecture.Inputs]</c>.</param>
    /// <param name="targets">Targets <c>[rows × Architecture.Outputs]</c>: values for the squared-error heads,
    /// probabilities for <see cref="LossKind.SoftmaxCrossEntropy"/> (rows summing to 1), 0..1 for
    /// <see cref="LossKind.SigmoidCrossEntropy"/>.</param>
    /// <param name="rows">Batch size B, 1..<see cref="MaxBatch"/>.</param>
    /// <returns>The loss J of the batch, in the head's convention (<see cref="LossKind"/>).</returns>
    /// <exception cref="ArgumentException">A size does not fit (<c>rows × inputs</c> beyond a span's length names <paramref name="rows"/>).</exception>
    public T ComputeGradients(ReadOnlySpan<T> x, ReadOnlySpan<T> targets, int rows)
    {
        CheckBatch(x, rows);

        // rows ≤ MaxBatch, and MaxBatch × every layer's width fits an array (checked at construction).
        Guard.SameLength(targets.Length, rows * Architecture.Outputs, nameof(targets), "rows × outputs");
        Forward(_training, x, rows);
        T loss = LossAndGradient(_training, rows, targets, [], _training.Delta[^1].AsSpan(0, rows * Architecture.Outputs));
        Backward(_training, x, rows, [], inputGradientWanted: false);
        return loss;
    }

    /// <summary>
    /// Forward, loss and backward for one batch of class labels, leaving ∂J/∂θ in <see cref="Gradients"/>. Heads
    /// other than <see cref="LossKind.SoftmaxCrossEntropy"/> see each label as a one-hot row (a single-output
    /// network: label 0 or 1 as the target value).
    /// </summary>
    /// <param name="x">Inputs <c>[rows × Architecture.Inputs]</c>.</param>
    /// <param name="labels">One class index per row, in <c>[0, Outputs)</c> (<c>[0, 2)</c> for one output).</param>
    /// <param name="rows">Batch size B, 1..<see cref="MaxBatch"/>.</param>
    /// <returns>The loss J of the batch.</returns>
    /// <exception cref="ArgumentException">A size does not fit (<c>rows × inputs</c> beyond a span's length names <paramref name="rows"/>) or a label is out of range.</exception>
    public T ComputeGradients(ReadOnlySpan<T> x, ReadOnlySpan<int> labels, int rows)
    {
        CheckBatch(x, rows);
        CheckLabels(labels, rows);
        Forward(_training, x, rows);
        T loss = LabelLossAndGradient(_training, rows, labels, _training.Delta[^1].AsSpan(0, rows * Architecture.Outputs));
        Backward(_training, x, rows, [], inputGradientWanted: false);
        return loss;
    }

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/> that also writes ∂J/∂X, the gradient of
    /// the batch loss with respect to the inputs, <c>∂J/∂Z_0 = ∂J/∂P_0 · W_0ᵀ</c>: what a component before this
    /// network needs to continue the chain rule.
    /// </summary>
    /// <param name="x">Inputs <c>[rows × Architecture.Inputs]</c>.</param>
    /// <param name="targets">Targets <c>[rows × Architecture.Outputs]</c>, as for the overload without ∂J/∂X.</param>
    /// <param name="rows">Batch size B, 1..<see cref="MaxBatch"/>.</param>
    /// <param name="inputGradient">Destination ∂J/∂X <c>[rows × Architecture.Inputs]</c>, disjoint from <paramref name="x"/>, <paramref name="targets"/>, <see cref="Parameters"/> and <see cref="Gradients"/>.</param>
    /// <returns>The loss J of the batch.</returns>
    /// <exception cref="ArgumentException">A size does not fit or <paramref name="inputGradient"/> overlaps a span it must not (nothing is written).</exception>
    public T ComputeGradients(ReadOnlySpan<T> x, ReadOnlySpan<T> targets, int rows, Span<T> inputGradient)
    {
        CheckBatch(x, rows);
        Guard.SameLength(targets.Length, rows * Architecture.Outputs, nameof(targets), "rows × outputs");
        CheckInputGradient(inputGradient, x, rows);
        Guard.NoOverlap(targets, inputGradient, nameof(targets), nameof(inputGradient));
        Forward(_training, x, rows);
        T loss = LossAndGradient(_training, rows, targets, [], _training.Delta[^1].AsSpan(0, rows * Architecture.Outputs));
        Backward(_training, x, rows, inputGradient, inputGradientWanted: true);
        return loss;
    }

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{int}, int)"/> that also writes ∂J/∂X
    /// <c>[rows × Architecture.Inputs]</c> into <paramref name="inputGradient"/>, as the dense-target overload does.
    /// </summary>
    /// <param name="x">Inputs <c>[rows × Architecture.Inputs]</c>.</param>
    /// <param name="labels">One class index per row, in <c>[0, Outputs)</c> (<c>[0, 2)</c> for one output).</param>
    /// <param name="rows">Batch size B, 1..<see cref="MaxBatch"/>.</param>
    /// <param name="inputGradient">Destination ∂J/∂X <c>[rows × Architecture.Inputs]</c>, disjoint from <paramref name="x"/>, <paramref name="labels"/>, <see cref="Parameters"/> and <see cref="Gradients"/>.</param>
    /// <returns>The loss J of the batch.</returns>
    /// <exception cref="ArgumentException">A size does not fit, a label is out of range, or <paramref name="inputGradient"/> overlaps a span it must not (nothing is written).</exception>
    public T ComputeGradients(ReadOnlySpan<T> x, ReadOnlySpan<int> labels, int rows, Span<T> inputGradient)
    {
        CheckBatch(x, rows);
        CheckLabels(labels, rows);
        CheckInputGradient(inputGradient, x, rows);
        Guard.NoOverlap(labels, inputGradient, nameof(labels), nameof(inputGradient));
        Forward(_training, x, rows);
        T loss = LabelLossAndGradient(_training, rows, labels, _training.Delta[^1].AsSpan(0, rows * Architecture.Outputs));
        Backward(_training, x, rows, inputGradient, inputGradientWanted: true);
        return loss;
    }

    /// <summary>One training step with dense targets: <see cref="ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>, then <see cref="ApplyUpdate()"/>.</summary>
    /// <remarks>
    /// With plain SGD and diagnostics off, the weights' gradient is applied as GEMM computes it and never stored:
    /// <see cref="Gradients"/> then holds the biases' gradient only. Call ComputeGradients to read ∂J/∂W.
    /// </remarks>
    /// <returns>The batch's loss before the update.</returns>
    public T TrainStep(ReadOnlySpan<T> x, ReadOnlySpan<T> targets, int rows)
    {
        if (FusesSgdStep)
        {
            return TrainStepFused(x, targets, rows, Optimizer.LearningRate, 0);
        }

        T loss = ComputeGradients(x, targets, rows);
        ApplyUpdate();
        return loss;
    }

    /// <summary>One training step with class labels: <see cref="ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{int}, int)"/>, then <see cref="ApplyUpdate()"/>.</summary>
    /// <remarks>As the dense-target overload: with plain SGD and diagnostics off, ∂J/∂W is applied and not stored.</remarks>
    /// <returns>The batch's loss before the update.</returns>
    public T TrainStep(ReadOnlySpan<T> x, ReadOnlySpan<int> labels, int rows)
    {
        if (FusesSgdStep)
        {
            return TrainStepFused(x, labels, rows, Optimizer.LearningRate, 0);
        }

        T loss = ComputeGradients(x, labels, rows);
        ApplyUpdate();
        return loss;
    }

    // ----------------------------------------------------------------------------------------------------------
    // forward: for l = 0..L−1, P_l[B × n_l] = Z_{l−1}[B × n_{l−1}] · W_l[n_{l−1} × n_l] (+ b_l), Z_l = f_l(P_l)

    private void Forward(Workspace<T> workspace, ReadOnlySpan<T> x, int rows)
    {
        // P_l is read again only by the diagnostics where f′(P_l) is kept (Backward below).
        ForwardPass<T>.Run(Architecture, _parameters, _weightOffset, _biasOffset, workspace.Pre, workspace.Post, x, rows, _threads, workspace.Slope, keepPre: _collectsDiagnostics);
        if (ReferenceEquals(workspace, _training))
        {
            _lastRows = rows;
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // backward: Delta[L−1] holds ∂J/∂Z_{L−1} from the loss (∂J/∂P_{L−1} for the cross-entropy heads, whose last
    // activation is Identity); for l = L−1..0:
    //   ∂J/∂P_l = ∂J/∂Z_l ⊙ f_l′(P_l)              [B × n_l], in place, from the input P_l (accurate where f saturates),
    //                                              or from f_l′(P_l) as the forward pass kept it (Slope[l], the same bits)
    //   ∂J/∂W_l = Z_{l−1}ᵀ · ∂J/∂P_l              (n_{l−1} × B) · (B × n_l)
    //   ∂J/∂b_l = Σ_rows ∂J/∂P_l                  [n_l]
    //   ∂J/∂Z_{l−1} = ∂J/∂P_l · W_lᵀ              (B × n_l) · (n_l × n_{l−1}); for l = 0 that is ∂J/∂X, written
    //                                              into the caller's span only when it asked for it

    //   with FusedSgd, W_l ← d·W_l − η·∂J/∂W_l in GEMM's epilogue, after ∂J/∂Z_{l−1} has read the old W_l

    /// <summary>Plain SGD applied in the backward pass: α = −η for GEMM, β = d = 1 − η·λ on the weights.</summary>
    private readonly record struct FusedSgd(T NegativeRate, T Decay);

    private void Backward(Workspace<T> workspace, ReadOnlySpan<T> x, int rows, Span<T> inputGradient, bool inputGradientWanted, FusedSgd? fused = null)
    {
        for (int l = Architecture.Layers.Count - 1; l >= 0; l--)
        {
            DenseLayer layer = Architecture.Layers[l];
            int inputs = Architecture.InputsOf(l);
            int outputs = layer.Outputs;
            ReadOnlySpan<T> input = l == 0 ? x : workspace.Post[l - 1].AsSpan(0, rows * inputs);
            ReadOnlySpan<T> p = workspace.Pre[l].AsSpan(0, rows * outputs);
            Span<T> delta = workspace.Delta[l].AsSpan(0, rows * outputs);

            if (workspace.Slope[l] is { } slope)
            {
                ElementwiseDriver.Run(default(Linear.MultiplyOperator<T>), delta, slope.AsSpan(0, rows * outputs), delta);
            }
            else if (layer.Activation.Kind != ActivationKind.Identity)
            {
                Activations.Backward(layer.Activation, p, delta, delta);
            }

            CollectDiagnostics(l, p, rows);

            if (l > 0 || inputGradientWanted)
            {
                Span<T> previousDelta = l > 0 ? workspace.Delta[l - 1].AsSpan(0, rows * inputs) : inputGradient;
                Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, rows, inputs, outputs,
                    T.One, delta, outputs, Weights(l), outputs, T.Zero, previousDelta, inputs, _threads);
            }

            if (fused is { } sgd)
            {
                Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, inputs, outputs, rows,
                    sgd.NegativeRate, input, inputs, delta, outputs, sgd.Decay, Weights(l), outputs, _threads);
            }
            else
            {
                Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, inputs, outputs, rows,
                    T.One, input, inputs, delta, outputs, T.Zero, _gradients.AsSpan(_weightOffset[l], inputs * outputs), outputs, _threads);
            }

            if (layer.HasBias)
            {
                Span<T> biasGradient = _gradients.AsSpan(_biasOffset[l], outputs);
                Linear.BiasGradient(delta, rows, outputs, biasGradient);
                if (fused is { } biasStep)
                {
                    ParameterUpdates.Sgd(-biasStep.NegativeRate, T.One, biasGradient, _parameters.AsSpan(_biasOffset[l], outputs));
                }
            }
        }

        if (fused is null)
        {
            CollectGradientNorms();
        }
    }

    private void CheckBatch(ReadOnlySpan<T> x, int rows)
    {
        ThrowIfDisposed();
        if (rows <= 0 || rows > MaxBatch)
        {
            throw new ArgumentException($"rows is {rows}; it must lie in [1, {MaxBatch}] (MaxBatch).", nameof(rows));
        }

        Guard.SameLength(x.Length, Sizes.SpanLength(rows, Architecture.Inputs, nameof(rows), "inputs"), nameof(x), "rows × inputs");
    }

    /// <summary>∂J/∂X is <c>[rows × inputs]</c> and shares no byte with what the pass reads or the update writes.</summary>
    private void CheckInputGradient(Span<T> inputGradient, ReadOnlySpan<T> x, int rows)
    {
        Guard.SameLength(inputGradient.Length, rows * Architecture.Inputs, nameof(inputGradient), "rows × inputs");
        Guard.NoOverlap(x, inputGradient, nameof(x), nameof(inputGradient));
        Guard.NoOverlap<T, T>(Parameters, inputGradient, nameof(Parameters), nameof(inputGradient));
        Guard.NoOverlap<T, T>(Gradients, inputGradient, nameof(Gradients), nameof(inputGradient));
    }

    private void CheckLabels(ReadOnlySpan<int> labels, int rows) => Guard.Labels(labels, rows, ClassCount, nameof(labels));

    /// <summary>Classes a label may name: one per output, or 0 and 1 for a single output (read as the target value).</summary>
    private int ClassCount => Math.Max(Architecture.Outputs, 2);

    /// <summary>
    /// Checks a whole data set before anything is written: its feature count is <c>Architecture.Inputs</c> and every
    /// label lies in <c>[0, max(Outputs, 2))</c>, or its target count is <c>Architecture.Outputs</c>. The labels are checked here, not only by <see cref="Dataset{T}"/>,
    /// because its class count may exceed the network's outputs.
    /// </summary>
    /// <param name="data">The data set.</param>
    /// <param name="name">The caller's parameter name for it.</param>
    internal void CheckData(Dataset<T> data, string name)
    {
        ThrowIfDisposed();
        if (data.FeatureCount != Architecture.Inputs)
        {
            throw new ArgumentException(
                $"{name} has {data.FeatureCount} features per row but the network takes {Architecture.Inputs} inputs.", name);
        }

        if (data.HasTargets)
        {
            if (data.TargetCount != Architecture.Outputs)
            {
                throw new ArgumentException(
                    $"{name} has {data.TargetCount} targets per row but the network has {Architecture.Outputs} outputs.", name);
            }

            return;
        }

        int classes = ClassCount;
        ReadOnlySpan<int> labels = data.Labels;
        for (int r = 0; r < labels.Length; r++)
        {
            if ((uint)labels[r] >= (uint)classes)
            {
                throw new ArgumentException(
                    $"{name}.Labels[{r}] is {labels[r]}; this network's {Architecture.Outputs} outputs take labels in [0, {classes}).", name);
            }
        }
    }
}
