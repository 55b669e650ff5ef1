using System.Buffers;

using Microsoft.Extensions.ObjectPool;

namespace FastBackprop.Training;

/// <summary>
/// A multilayer perceptron of dense layers trained by backpropagation over FastBackprop's kernels, with no
/// managed allocation per step once constructed.
/// </summary>
/// <remarks>
/// <para>
/// Notation (B = rows in the batch, n_l = units of layer l, n_0 = inputs), all row-major:
/// <c>P_l[B × n_l] = Z_{l−1}[B × n_{l−1}] · W_l[n_{l−1} × n_l] + b_l[n_l]</c>, <c>Z_l = f_l(P_l)</c>, <c>Z_0 = X</c>.
/// W_l's element (i, j) is the weight from input unit i to unit j, at <c>W_l[i·n_l + j]</c>. Backward:
/// <c>∂J/∂P_l = ∂J/∂Z_l ⊙ f_l′(P_l)</c>, <c>∂J/∂W_l = Z_{l−1}ᵀ · ∂J/∂P_l</c>,
/// <c>∂J/∂b_l = Σ_rows ∂J/∂P_l</c>, <c>∂J/∂Z_{l−1} = ∂J/∂P_l · W_lᵀ</c> (not computed for the first layer).
/// </para>
/// <para>
/// Memory: parameters, gradients and optimizer state are one array each (layer l's W then b, layer by layer),
/// and a training workspace holds P, Z and the deltas for <see cref="MaxBatch"/> rows; all are rented from
/// <see cref="ArrayPool{T}.Shared"/> in the constructor and returned by <see cref="Dispose"/>. Inference
/// workspaces come from an <see cref="ObjectPool{T}"/> that keeps every workspace it makes, so it grows to the peak
/// number of concurrent callers and then allocates nothing; <see cref="Predict"/> may run on many threads at once
/// (not concurrently with a training step, which writes the weights). After <see cref="Dispose"/> those arrays
/// belong to other renters: every member except the immutable description (<see cref="Architecture"/>,
/// <see cref="Optimizer"/>, <see cref="MaxBatch"/>, <see cref="Seed"/>, <see cref="ParameterCount"/>) throws
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// Determinism: every kernel and GEMM is bit-reproducible for a given SIMD path and thread count (GEMM never
/// splits K), so the same seed, data order, thread count and path give bit-identical weights.
/// </para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed partial class Mlp<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _parameters;
    private readonly T[] _gradients;
    private readonly T[][] _optimizerState;
    private readonly int[] _weightOffset;
    private readonly int[] _biasOffset;
    private readonly int _parameterCount;
    private readonly Workspace<T> _training;
    private readonly DisposablePool<Workspace<T>> _inference;
    private readonly int _threads;
    private long _step;
    private int _epoch;
    private bool _disposed;

    /// <summary>Builds a network and initializes its weights from <paramref name="seed"/>.</summary>
    /// <param name="architecture">Layers and loss head.</param>
    /// <param name="optimizer">Update rule and hyperparameters.</param>
    /// <param name="maxBatch">Most rows one training step takes; buffers are sized for it.</param>
    /// <param name="seed">Seeds weight initialization (and, through <see cref="Trainer{T}"/>, shuffling).</param>
    /// <param name="initialization">How weights are drawn; biases start at 0.</param>
    /// <param name="threads">Threads each GEMM may use: 1 (the default) = the calling thread only, 0 = <see cref="Parallelism.MaxThreads"/>,
    /// n = up to n, held to that cap (see <see cref="Parallelism"/>). Results do not depend on it.</param>
    /// <exception cref="ArgumentException">A size is out of range or the optimizer's settings are invalid.</exception>
    public Mlp(
        MlpArchitecture architecture,
        OptimizerSettings optimizer,
        int maxBatch,
        ulong seed,
        Initialization initialization = Initialization.Auto,
        int threads = 1)
    {
        Guard.SupportedType<T>();
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (!Enum.IsDefined(initialization))
        {
            throw new ArgumentOutOfRangeException(nameof(initialization), initialization, "unknown initialization.");
        }

        long parameterCount = architecture.ParameterCount;
        if (parameterCount > Array.MaxLength)
        {
            throw new ArgumentException(
                $"{architecture} has {parameterCount} parameters; one array holds at most {Array.MaxLength}.", nameof(architecture));
        }

        Sizes.ArrayLength(maxBatch, architecture.Layers.Max(l => l.Outputs), nameof(maxBatch), "the widest layer's outputs");

        Architecture = architecture;
        Optimizer = optimizer;
        MaxBatch = maxBatch;
        Seed = seed;
        _threads = threads;
        _parameterCount = (int)parameterCount;

        (_weightOffset, _biasOffset) = architecture.ParameterOffsets();

        _parameters = RentCleared(_parameterCount);
        _gradients = RentCleared(_parameterCount);
        _optimizerState = new T[optimizer.StateVectors][];
        for (int s = 0; s < _optimizerState.Length; s++)
        {
            _optimizerState[s] = RentCleared(_parameterCount);
        }

        _training = new Workspace<T>(architecture, maxBatch, training: true);
        _inference = new DisposablePool<Workspace<T>>(() => new Workspace<T>(architecture, Math.Min(maxBatch, InferenceRows), training: false));
        _diagnostics = new DiagnosticsState(architecture);
        Initialize(seed, initialization);
    }

    /// <summary>
    /// Rows one inference workspace processes at a time (fewer when <see cref="MaxBatch"/> is smaller);
    /// <see cref="InferenceModel{T}"/> splits its batches the same way, so that the two predict the same bits.
    /// </summary>
    internal const int InferenceRows = 256;

    /// <summary>Layers and loss head.</summary>
    public MlpArchitecture Architecture { get; }

    /// <summary>Update rule and hyperparameters.</summary>
    public OptimizerSettings Optimizer { get; }

    /// <summary>Most rows one training step takes.</summary>
    public int MaxBatch { get; }

    /// <summary>The seed the weights were initialized from.</summary>
    public ulong Seed { get; }

    /// <summary>Optimizer updates applied so far (Adam's t), from 0; set by training and by loading a <see cref="Checkpoint"/>.</summary>
    public long Step
    {
        get
        {
            ThrowIfDisposed();
            return _step;
        }

        internal set
        {
            ThrowIfDisposed();
            CheckStep(value);
            _step = value;
        }
    }

    /// <summary>Epochs completed so far, from 0 (kept by <see cref="Trainer{T}"/> and saved in checkpoints).</summary>
    public int Epoch
    {
        get
        {
            ThrowIfDisposed();
            return _epoch;
        }

        internal set
        {
            ThrowIfDisposed();
            CheckEpoch(value);
            _epoch = value;
        }
    }

    /// <summary>Number of weights and biases.</summary>
    public int ParameterCount => _parameterCount;

    /// <summary>All parameters: layer 0's W <c>[n_0 × n_1]</c> then its b <c>[n_1]</c> (if any), then layer 1's, and so on.</summary>
    public Span<T> Parameters
    {
        get
        {
            ThrowIfDisposed();
            return _parameters.AsSpan(0, _parameterCount);
        }
    }

    /// <summary>
    /// The gradient ∂J/∂θ of the last <see cref="ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>, laid out
    /// like <see cref="Parameters"/>. Writable: between ComputeGradients and <see cref="ApplyUpdate()"/> an app may
    /// clip, scale, accumulate or all-reduce it (sum it across processes), and the update uses what it finds here.
    /// </summary>
    public Span<T> Gradients
    {
        get
        {
            ThrowIfDisposed();
            return _gradients.AsSpan(0, _parameterCount);
        }
    }

    /// <summary>Optimizer state vector <paramref name="index"/> (momentum's v; Adam's m then v), laid out like <see cref="Parameters"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, Optimizer.StateVectors)</c>.</exception>
    public Span<T> OptimizerState(int index)
    {
        ThrowIfDisposed();
        if ((uint)index >= (uint)_optimizerState.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(index), index, $"the {Optimizer.Kind} optimizer keeps {_optimizerState.Length} state vectors.");
        }

        return _optimizerState[index].AsSpan(0, _parameterCount);
    }

    /// <summary>Layer <paramref name="layer"/>'s weights W <c>[inputs × outputs]</c>, row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in <c>[0, Architecture.Layers.Count)</c>.</exception>
    public Span<T> Weights(int layer)
    {
        CheckLayer(layer);
        return _parameters.AsSpan(_weightOffset[layer], WeightCount(layer));
    }

    /// <summary>Layer <paramref name="layer"/>'s bias b <c>[outputs]</c>; empty when the layer has none.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in <c>[0, Architecture.Layers.Count)</c>.</exception>
    public Span<T> Bias(int layer)
    {
        CheckLayer(layer);
        return _biasOffset[layer] < 0 ? [] : _parameters.AsSpan(_biasOffset[layer], Architecture.Layers[layer].Outputs);
    }

    /// <summary>The gradient of layer <paramref name="layer"/>'s weights, ∂J/∂W.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in <c>[0, Architecture.Layers.Count)</c>.</exception>
    public ReadOnlySpan<T> WeightGradient(int layer)
    {
        CheckLayer(layer);
        return _gradients.AsSpan(_weightOffset[layer], WeightCount(layer));
    }

    /// <summary>The gradient of layer <paramref name="layer"/>'s bias, ∂J/∂b; empty when the layer has none.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not in <c>[0, Architecture.Layers.Count)</c>.</exception>
    public ReadOnlySpan<T> BiasGradient(int layer)
    {
        CheckLayer(layer);
        return _biasOffset[layer] < 0 ? [] : _gradients.AsSpan(_biasOffset[layer], Architecture.Layers[layer].Outputs);
    }

    /// <summary>
    /// The last training step's network output <c>[rows × outputs]</c>: Z_L, i.e. logits for the cross-entropy
    /// heads. Valid until the next step.
    /// </summary>
    public ReadOnlySpan<T> LastOutput
    {
        get
        {
            ThrowIfDisposed();
            return _training.Post[^1].AsSpan(0, _lastRows * Architecture.Outputs);
        }
    }

    private int _lastRows;

    /// <summary>
    /// Redraws every weight from <paramref name="seed"/> and zeroes biases, gradients, optimizer state and
    /// <see cref="Step"/>. Weights are uniform in <c>[−r, r]</c>, layer by layer in parameter order, with
    /// <c>r = √(6/(n_in + n_out))</c> (Xavier/Glorot) or <c>r = √(6/n_in)</c> (He/Kaiming, for ReLU-like units).
    /// </summary>
    public void Initialize(ulong seed, Initialization initialization = Initialization.Auto)
    {
        ThrowIfDisposed();
        var random = new Xoshiro256(seed);
        Parameters.Clear();
        _gradients.AsSpan(0, _parameterCount).Clear();
        foreach (T[] state in _optimizerState)
        {
            state.AsSpan(0, _parameterCount).Clear();
        }

        for (int l = 0; l < Architecture.Layers.Count; l++)
        {
            DenseLayer layer = Architecture.Layers[l];
            int fanIn = Architecture.InputsOf(l);
            bool he = initialization == Initialization.He ||
                (initialization == Initialization.Auto && ActivationInfo.Of(layer.Activation.Kind).PrefersHeInitialization);
            double range = he ? Math.Sqrt(6.0 / fanIn) : Math.Sqrt(6.0 / (fanIn + layer.Outputs));
            foreach (ref T w in Weights(l))
            {
                w = T.CreateTruncating((2 * random.NextDouble() - 1) * range);
            }
        }

        _step = 0;
        _epoch = 0;
    }

    /// <summary>Frees the rented buffers; the network cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _training.Dispose();
        _inference.Dispose();
        _diagnostics.Dispose();
        ArrayPool<T>.Shared.Return(_parameters);
        ArrayPool<T>.Shared.Return(_gradients);
        foreach (T[] state in _optimizerState)
        {
            ArrayPool<T>.Shared.Return(state);
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The rule for <see cref="Step"/>, shared with <see cref="Checkpoint"/>'s loader so that a saved step always loads.</summary>
    internal static void CheckStep(long step)
    {
        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Step), step, "Step counts optimizer updates from 0; it cannot be negative.");
        }
    }

    /// <summary>The rule for <see cref="Epoch"/>, shared with <see cref="Checkpoint"/>'s loader so that a saved epoch always loads.</summary>
    internal static void CheckEpoch(int epoch)
    {
        if (epoch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Epoch), epoch, "Epoch counts completed epochs from 0; it cannot be negative.");
        }
    }

    private void CheckLayer(int layer)
    {
        ThrowIfDisposed();
        if ((uint)layer >= (uint)Architecture.Layers.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"the network has layers 0 to {Architecture.Layers.Count - 1}.");
        }
    }

    /// <summary>Weights of layer <paramref name="layer"/>: n_{l−1} × n_l, within <see cref="ParameterCount"/>.</summary>
    private int WeightCount(int layer) => Architecture.InputsOf(layer) * Architecture.Layers[layer].Outputs;

    private static T[] RentCleared(int length)
    {
        T[] array = ArrayPool<T>.Shared.Rent(length);
        array.AsSpan(0, length).Clear();
        return array;
    }
}

/// <summary>How <see cref="Mlp{T}"/> draws its initial weights.</summary>
public enum Initialization
{
    /// <summary>He where the layer's <see cref="ActivationInfo.PrefersHeInitialization"/> (ReLU, leaky ReLU, ELU, GELU and SiLU); Xavier for the others.</summary>
    Auto,

    /// <summary>Xavier/Glorot uniform: <c>U(−r, r)</c>, <c>r = √(6/(n_in + n_out))</c>; suits sigmoid, tanh and linear units.</summary>
    Xavier,

    /// <summary>He/Kaiming uniform: <c>U(−r, r)</c>, <c>r = √(6/n_in)</c>; suits ReLU-like units.</summary>
    He,
}
