using System.Buffers;

namespace FastBackprop.Training;

/// <summary>
/// A trained network for inference only: its architecture, weights and <see cref="ModelInfo"/>, with no gradients,
/// optimizer state or training buffers. Takes any number of rows, applies <see cref="ModelInfo.Scaling"/> to raw rows
/// itself, and is thread-safe and allocation-free once warm.
/// </summary>
/// <remarks>
/// <para>
/// Each call takes a forward-only workspace of <see cref="Mlp{T}.InferenceRows"/> (256) rows from a pool that keeps
/// every workspace it makes (so it grows to the peak number of concurrent callers, then allocates nothing) and runs
/// the rows through it 256 at a time, with the same kernel calls as <see cref="Mlp{T}.Predict"/>. GEMM, the bias and
/// softmax are batch-invariant (a row's bits depend on that row only), so for rows scaled the same way its
/// probabilities equal the training network's bit for bit whatever the batch sizes and chunks, for piecewise-linear
/// hidden activations (ReLU, leaky ReLU, identity) and the softmax head on every path. The other activations' and the
/// sigmoid head's element-wise kernels, on AVX-512, still compute an element of a span shorter than 16 values
/// with the 256-bit algorithm, so there a row's last bits can depend on the batch.
/// </para>
/// <para>GEMM runs on the calling thread; concurrency comes from the callers. <see cref="Dispose"/> must not overlap a call.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class InferenceModel<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _parameters;
    private readonly int[] _weightOffset;
    private readonly int[] _biasOffset;
    private readonly int _parameterCount;
    private readonly T _threshold;
    private readonly DisposablePool<ForwardWorkspace<T>> _workspaces;
    private bool _disposed;

    /// <summary>
    /// A model of <paramref name="architecture"/> whose parameter array is rented but not yet filled: the caller
    /// writes all of <see cref="WritableParameters"/> before the model is used (or disposes it).
    /// </summary>
    internal InferenceModel(MlpArchitecture architecture, ModelInfo info)
    {
        Architecture = architecture;
        Info = info;
        _parameterCount = checked((int)architecture.ParameterCount);
        (_weightOffset, _biasOffset) = architecture.ParameterOffsets();
        _threshold = ForwardPass<T>.Threshold(architecture.Loss);
        _parameters = ArrayPool<T>.Shared.Rent(_parameterCount);
        bool scaled = info.Scaling is not null;
        _workspaces = new DisposablePool<ForwardWorkspace<T>>(() => new ForwardWorkspace<T>(architecture, Mlp<T>.InferenceRows, scaled));
    }

    /// <summary>Layers and loss head.</summary>
    public MlpArchitecture Architecture { get; }

    /// <summary>The preprocessing, class names and metadata the model carries (an empty one for a version-1 checkpoint).</summary>
    public ModelInfo Info { get; }

    /// <summary>The weights and biases, laid out like <see cref="Mlp{T}.Parameters"/>.</summary>
    /// <exception cref="ObjectDisposedException">The model is disposed.</exception>
    public ReadOnlySpan<T> Parameters
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _parameters.AsSpan(0, _parameterCount);
        }
    }

    /// <summary>The parameter array for a loader to fill, laid out like <see cref="Parameters"/>.</summary>
    internal Span<T> WritableParameters => _parameters.AsSpan(0, _parameterCount);

    /// <summary>Reads a checkpoint file (any version this library reads); see <see cref="Load(Stream, string)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is damaged or not a checkpoint of <typeparamref name="T"/> (see <see cref="Checkpoint"/>).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static InferenceModel<T> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(file, Path.GetFileName(path));
    }

    /// <summary>
    /// Reads a checkpoint from <paramref name="stream"/> (seekable or not, as <see cref="Checkpoint"/> reads it): its
    /// architecture, weights and <see cref="ModelInfo"/> (empty for a version-1 checkpoint, which carries none). The
    /// weights are read straight into the model; any optimizer state is skipped, though checked by the checksum and
    /// the size rules like the rest, and no training network is built.
    /// </summary>
    /// <param name="stream">The checkpoint; read, not disposed.</param>
    /// <param name="sourceName">Names the source in error messages.</param>
    /// <exception cref="InvalidDataException">The stream is damaged or not a checkpoint of <typeparamref name="T"/> (see <see cref="Checkpoint"/>).</exception>
    public static InferenceModel<T> Load(Stream stream, string sourceName = "checkpoint") => Checkpoint.LoadInference<T>(stream, sourceName);

    /// <summary>An inference model with a copy of <paramref name="network"/>'s current weights.</summary>
    /// <param name="network">The trained network; it stays the caller's.</param>
    /// <param name="info">Preprocessing, class names and metadata (checked as <see cref="ModelInfo"/>'s remarks say), or none.</param>
    /// <exception cref="ArgumentException"><paramref name="info"/> does not fit the network.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="network"/> is disposed.</exception>
    public static InferenceModel<T> FromNetwork(Mlp<T> network, ModelInfo? info = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.ThrowIfDisposed();
        var model = new InferenceModel<T>(network.Architecture, ModelInfo.Checked(info, network.Architecture, nameof(info)));
        network.Parameters.CopyTo(model.WritableParameters);
        return model;
    }

    /// <summary>
    /// Scales <paramref name="rows"/> raw rows by <see cref="ModelInfo.Scaling"/> (when there is one), runs the network
    /// and writes, per row, what <paramref name="kind"/> asks for.
    /// </summary>
    /// <param name="rawRows">Unscaled inputs <c>[rows × Architecture.Inputs]</c>; not written.</param>
    /// <param name="rows">Number of rows, any non-negative count.</param>
    /// <param name="output">Destination <c>[rows × Architecture.Outputs]</c>.</param>
    /// <param name="kind">Probabilities (the head's prediction) or the logits Z.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="kind"/> is not a <see cref="PredictionKind"/>, <paramref name="rows"/> is negative, a length
    /// does not fit, or <paramref name="output"/> overlaps <paramref name="rawRows"/>; nothing is written.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The model is disposed.</exception>
    public void Predict(ReadOnlySpan<T> rawRows, int rows, Span<T> output, PredictionKind kind = PredictionKind.Probabilities)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"kind is {(int)kind}; it must be a {nameof(PredictionKind)}.", nameof(kind));
        }

        CheckRows(rawRows, rows);
        Guard.SameLength(output.Length, Sizes.SpanLength(rows, Architecture.Outputs, nameof(rows), "outputs"), nameof(output), "rows × outputs");
        Guard.NoOverlap(rawRows, output, nameof(rawRows), nameof(output));
        int outputs = Architecture.Outputs;
        ForwardWorkspace<T> workspace = _workspaces.Get();
        try
        {
            for (int start = 0; start < rows; start += workspace.Capacity)
            {
                int chunk = Math.Min(workspace.Capacity, rows - start);
                ReadOnlySpan<T> z = Forward(workspace, rawRows, start, chunk);
                Span<T> destination = output.Slice(start * outputs, chunk * outputs);
                if (kind == PredictionKind.Logits)
                {
                    z.CopyTo(destination);
                }
                else
                {
                    ForwardPass<T>.Probabilities(Architecture.Loss, outputs, z, chunk, destination);
                }
            }
        }
        finally
        {
            _workspaces.Return(workspace);
        }
    }

    /// <summary>
    /// Scales and runs <paramref name="rows"/> raw rows like <see cref="Predict"/> and writes each row's predicted
    /// class, by <see cref="Mlp{T}.Evaluate"/>'s rule: the index of the largest output (the first on ties); for one
    /// output, 1 where Z exceeds 0 (a sigmoid head's logit) or ½ (the squared-error heads), else 0.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is negative or a length does not fit; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The model is disposed.</exception>
    public void PredictClasses(ReadOnlySpan<T> rawRows, int rows, Span<int> classes)
    {
        CheckRows(rawRows, rows);
        Guard.LengthIs(classes.Length, rows, nameof(classes), "one class per row");
        Guard.NoOverlap(rawRows, classes, nameof(rawRows), nameof(classes));
        int outputs = Architecture.Outputs;
        ForwardWorkspace<T> workspace = _workspaces.Get();
        try
        {
            for (int start = 0; start < rows; start += workspace.Capacity)
            {
                int chunk = Math.Min(workspace.Capacity, rows - start);
                ReadOnlySpan<T> z = Forward(workspace, rawRows, start, chunk);
                for (int r = 0; r < chunk; r++)
                {
                    classes[start + r] = ForwardPass<T>.PredictedClass(z.Slice(r * outputs, outputs), _threshold);
                }
            }
        }
        finally
        {
            _workspaces.Return(workspace);
        }
    }

    /// <summary>Returns the weights and workspaces to their pools; the model cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _workspaces.Dispose();
        ArrayPool<T>.Shared.Return(_parameters);
    }

    private void CheckRows(ReadOnlySpan<T> rawRows, int rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.NonNegative(rows, nameof(rows));
        Guard.SameLength(rawRows.Length, Sizes.SpanLength(rows, Architecture.Inputs, nameof(rows), "inputs"), nameof(rawRows), "rows × inputs");
    }

    /// <summary>Rows [start, start + chunk) scaled (when the model has a scaling) and run forward; returns their Z.</summary>
    private ReadOnlySpan<T> Forward(ForwardWorkspace<T> workspace, ReadOnlySpan<T> rawRows, int start, int chunk)
    {
        int inputs = Architecture.Inputs;
        ReadOnlySpan<T> x = rawRows.Slice(start * inputs, chunk * inputs);
        if (Info.Scaling is { } scaling)
        {
            Span<T> scaled = workspace.Input.AsSpan(0, chunk * inputs);
            scaling.Apply(x, chunk, scaled);
            x = scaled;
        }

        ForwardPass<T>.Run(Architecture, _parameters, _weightOffset, _biasOffset, workspace.Pre, workspace.Post, x, chunk, threads: 1);
        return workspace.Post[^1].AsSpan(0, chunk * Architecture.Outputs);
    }
}
