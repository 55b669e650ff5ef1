namespace FastBackprop.Training;

/// <summary>
/// One dense layer: <c>P[batch × Outputs] = X[batch × in] · W[in × Outputs] + b</c>, then <c>Z = f(P)</c>.
/// </summary>
/// <param name="Outputs">Units in the layer (columns of W).</param>
/// <param name="Activation">f, any activation of <see cref="Activations"/>.</param>
/// <param name="HasBias">Whether the layer has a bias <c>b[Outputs]</c>; without one, the layer is <c>Y = f(X·W)</c>.</param>
public readonly record struct DenseLayer(int Outputs, Activation Activation, bool HasBias = true);

/// <summary>
/// The shape of a multilayer perceptron: the input width, the dense layers in order, and the loss head.
/// Compared by value, so a checkpoint can be checked against the network it should resume.
/// </summary>
/// <remarks>
/// Everything an architecture can hold, <see cref="Checkpoint"/> can save and load back: <see cref="Checkpoint.Load{T}(string, int, int, MlpArchitecture?)"/>
/// builds the architecture it reads through this constructor, so the two share one set of rules.
/// </remarks>
public sealed class MlpArchitecture : IEquatable<MlpArchitecture>
{
    /// <summary>Most layers a network may have (what a checkpoint can declare).</summary>
    public const int MaxLayers = 4096;

    private readonly DenseLayer[] _layers;
    private readonly long _parameterCount;

    /// <summary>Describes a network; the layer list is copied.</summary>
    /// <exception cref="ArgumentException">
    /// No layers or more than <see cref="MaxLayers"/>, a non-positive width, an activation kind that does not exist
    /// or an activation parameter α that is not finite (any kind: a checkpoint stores it), a loss kind that does not
    /// exist, a cross-entropy head whose last activation is not Identity (the loss applies softmax or sigmoid
    /// itself), or more than <see cref="long.MaxValue"/> parameters.
    /// </exception>
    public MlpArchitecture(int inputs, IEnumerable<DenseLayer> layers, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = [.. layers];
        if (inputs <= 0)
        {
            throw new ArgumentException($"inputs is {inputs}; a network needs at least one input.", nameof(inputs));
        }

        if (_layers.Length is 0 or > MaxLayers)
        {
            throw new ArgumentException($"{_layers.Length} layers given; a network has 1 to {MaxLayers}.", nameof(layers));
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            DenseLayer layer = _layers[l];
            if (layer.Outputs <= 0)
            {
                throw new ArgumentException($"layer {l} has {layer.Outputs} outputs; it needs at least one.", nameof(layers));
            }

            if (!ActivationInfo.TryGet(layer.Activation.Kind, out _) || !double.IsFinite(layer.Activation.Alpha))
            {
                throw new ArgumentException(
                    $"layer {l} has activation {layer.Activation.Kind} with α = {layer.Activation.Alpha}; the kind must be an {nameof(ActivationKind)} and α finite.",
                    nameof(layers));
            }
        }

        if (!LossInfo.TryGet(loss, out LossInfo? head))
        {
            throw new ArgumentException($"loss {loss} is not a {nameof(LossKind)}.", nameof(loss));
        }

        if (head.TakesLogits && _layers[^1].Activation.Kind != ActivationKind.Identity)
        {
            throw new ArgumentException(
                $"the {loss} head takes logits: the last layer's activation must be Identity, not {_layers[^1].Activation.Kind}.", nameof(layers));
        }

        Inputs = inputs;
        Loss = loss;
        try
        {
            for (int l = 0; l < _layers.Length; l++)
            {
                _parameterCount = checked(_parameterCount + (long)InputsOf(l) * _layers[l].Outputs + (_layers[l].HasBias ? _layers[l].Outputs : 0));
            }
        }
        catch (OverflowException)
        {
            throw new ArgumentException($"the layers hold more than {long.MaxValue} parameters.", nameof(layers));
        }
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in <c>[0, Layers.Count)</c>.</exception>
    public int InputsOf(int layer)
    {
        if ((uint)layer >= (uint)_layers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"the network has layers 0 to {_layers.Length - 1}.");
        }

        return layer == 0 ? Inputs : _layers[layer - 1].Outputs;
    }

    /// <summary>Total number of weights and biases: <c>Σ_l n_{l−1}·n_l + (bias ? n_l : 0)</c>.</summary>
    public long ParameterCount => _parameterCount;

    /// <summary>
    /// Where each layer's W and b start in the parameter vector (layer 0's W then b, then layer 1's, …): the layout
    /// <see cref="Mlp{T}.Parameters"/>, checkpoints and <see cref="InferenceModel{T}"/> share. A layer without a
    /// bias gets −1. The caller has checked that <see cref="ParameterCount"/> fits an array.
    /// </summary>
    internal (int[] Weight, int[] Bias) ParameterOffsets()
    {
        int[] weight = new int[_layers.Length];
        int[] bias = new int[_layers.Length];
        int offset = 0;
        for (int l = 0; l < _layers.Length; l++)
        {
            weight[l] = offset;
            offset += InputsOf(l) * _layers[l].Outputs;
            bias[l] = _layers[l].HasBias ? offset : -1;
            offset += _layers[l].HasBias ? _layers[l].Outputs : 0;
        }

        return (weight, bias);
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
