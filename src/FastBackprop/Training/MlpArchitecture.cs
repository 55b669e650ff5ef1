namespace FastBackprop.Training;

/// <summary>
/// One dense layer: <c>P[batch × Outputs] = X[batch × in] · W[in × Outputs] + b</c>, then <c>Z = f(P)</c>.
/// </summary>
/// <param name="Outputs">Units in the layer (columns of W).</param>
/// <param name="Activation">f, any activation of <see cref="Activations"/>.</param>
/// <param name="HasBias">Whether the layer has a bias <c>b[Outputs]</c>; seed 002's network has none.</param>
public readonly record struct DenseLayer(int Outputs, Activation Activation, bool HasBias = true);

/// <summary>
/// The shape of a multilayer perceptron: the input width, the dense layers in order, and the loss head.
/// Compared by value, so a checkpoint can be checked against the network it should resume.
/// </summary>
public sealed class MlpArchitecture : IEquatable<MlpArchitecture>
{
    private readonly DenseLayer[] _layers;

    /// <summary>Describes a network; the layer list is copied.</summary>
    /// <exception cref="ArgumentException">
    /// No layers, a non-positive width, a loss kind that does not exist, or a cross-entropy head whose last
    /// activation is not Identity (the loss applies softmax or sigmoid itself).
    /// </exception>
    public MlpArchitecture(int inputs, IEnumerable<DenseLayer> layers, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = [.. layers];
        if (inputs <= 0)
        {
            throw new ArgumentException($"inputs is {inputs}; a network needs at least one input.", nameof(inputs));
        }

        if (_layers.Length == 0)
        {
            throw new ArgumentException("a network needs at least one layer.", nameof(layers));
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            if (_layers[l].Outputs <= 0)
            {
                throw new ArgumentException($"layer {l} has {_layers[l].Outputs} outputs; it needs at least one.", nameof(layers));
            }
        }

        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentException($"loss {loss} is not a {nameof(LossKind)}.", nameof(loss));
        }

        if (loss is LossKind.SoftmaxCrossEntropy or LossKind.SigmoidCrossEntropy && _layers[^1].Activation.Kind != ActivationKind.Identity)
        {
            throw new ArgumentException(
                $"the {loss} head takes logits: the last layer's activation must be Identity, not {_layers[^1].Activation.Kind}.", nameof(layers));
        }

        Inputs = inputs;
        Loss = loss;
    }

    /// <summary>Width of the input rows.</summary>
    public int Inputs { get; }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<DenseLayer> Layers => _layers;

    /// <summary>The loss head.</summary>
    public LossKind Loss { get; }

    /// <summary>Width of the output rows (the last layer's units).</summary>
    public int Outputs => _layers[^1].Outputs;

    /// <summary>Width of layer <paramref name="layer"/>'s input: <see cref="Inputs"/> for the first, else the previous layer's outputs.</summary>
    public int InputsOf(int layer) => layer == 0 ? Inputs : _layers[layer - 1].Outputs;

    /// <summary>Total number of weights and biases.</summary>
    public long ParameterCount
    {
        get
        {
            long count = 0;
            for (int l = 0; l < _layers.Length; l++)
            {
                count += (long)InputsOf(l) * _layers[l].Outputs + (_layers[l].HasBias ? _layers[l].Outputs : 0);
            }

            return count;
        }
    }

    /// <summary>e.g. <c>64-128(ReLU)-10(Identity) SoftmaxCrossEntropy</c>.</summary>
    public override string ToString() =>
        $"{Inputs}-{string.Join("-", _layers.Select(l => $"{l.Outputs}({l.Activation.Kind}{(l.HasBias ? "" : ", no bias")})"))} {Loss}";

    /// <inheritdoc/>
    public bool Equals(MlpArchitecture? other) =>
        other is not null && Inputs == other.Inputs && Loss == other.Loss && _layers.AsSpan().SequenceEqual(other._layers);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MlpArchitecture);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Inputs);
        hash.Add(Loss);
        foreach (DenseLayer layer in _layers)
        {
            hash.Add(layer);
        }

        return hash.ToHashCode();
    }
}
