using System.Buffers;

namespace FastBackprop.Training;

/// <summary>
/// What one layer did over the training steps since diagnostics were last taken (one epoch, in
/// <see cref="Trainer{T}"/>): the signs that a weight has stopped learning (saturated units, vanishing gradients).
/// </summary>
/// <param name="Layer">Layer index, 0 = first.</param>
/// <param name="Activation">The layer's activation.</param>
/// <param name="SaturatedFraction">
/// For sigmoid and tanh: the fraction of (row, unit) pre-activations where <c>f′(p)</c> was below
/// <see cref="Mlp{T}.SaturationThreshold"/> times its maximum (σ′ ≤ ¼, tanh′ ≤ 1), so almost no gradient passed.
/// NaN for other activations.
/// </param>
/// <param name="DeadFraction">For ReLU: the fraction of units whose pre-activation was ≤ 0 for every row seen (they passed no gradient at all). NaN for other activations.</param>
/// <param name="GradientNorm">The mean over steps of the L2 norm of the layer's gradient (∂J/∂W and ∂J/∂b together).</param>
/// <param name="Steps">Training steps the figures cover.</param>
public readonly record struct LayerDiagnostics(
    int Layer, Activation Activation, double SaturatedFraction, double DeadFraction, double GradientNorm, long Steps);

public sealed partial class Mlp<T>
{
    /// <summary>A sigmoid or tanh unit counts as saturated where <c>f′(p) &lt; SaturationThreshold · max f′</c> (1 %).</summary>
    public const double SaturationThreshold = 0.01;

    private readonly DiagnosticsState _diagnostics;

    /// <summary>
    /// Whether training steps record <see cref="LayerDiagnostics"/> (a pass over each layer's pre-activations and
    /// gradient per step; off by default, on in <see cref="Trainer{T}"/>). Allocation-free either way.
    /// </summary>
    public bool CollectsDiagnostics
    {
        get
        {
            ThrowIfDisposed();
            return _collectsDiagnostics;
        }

        set
        {
            ThrowIfDisposed();
            _collectsDiagnostics = value;
        }
    }

    private bool _collectsDiagnostics;

    /// <summary>Per layer, the diagnostics gathered since the last call, and starts a new period.</summary>
    public LayerDiagnostics[] TakeDiagnostics()
    {
        ThrowIfDisposed();
        var result = new LayerDiagnostics[Architecture.Layers.Count];
        for (int l = 0; l < result.Length; l++)
        {
            result[l] = _diagnostics.Take(l, Architecture.Layers[l]);
        }

        return result;
    }

    /// <summary>Counts saturated and live units of layer <paramref name="layer"/> from its pre-activation P <c>[rows × n]</c>.</summary>
    private void CollectDiagnostics(int layer, ReadOnlySpan<T> p, int rows)
    {
        if (!_collectsDiagnostics)
        {
            return;
        }

        DiagnosticsState state = _diagnostics;
        ActivationKind kind = Architecture.Layers[layer].Activation.Kind;
        if (kind is ActivationKind.Sigmoid or ActivationKind.Tanh)
        {
            T limit = T.CreateTruncating(state.SaturationLimit[layer]);
            long saturated = 0;
            foreach (T value in p)
            {
                saturated += T.Abs(value) > limit ? 1 : 0;
            }

            state.Saturated[layer] += saturated;
            state.Seen[layer] += p.Length;
        }
        else if (kind == ActivationKind.Relu)
        {
            int units = Architecture.Layers[layer].Outputs;
            Span<int> alive = state.Alive[layer].AsSpan(0, units);
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<T> row = p.Slice(r * units, units);
                for (int j = 0; j < units; j++)
                {
                    alive[j] |= row[j] > T.Zero ? 1 : 0;
                }
            }
        }
    }

    /// <summary>Adds each layer's gradient norm ‖(∂J/∂W, ∂J/∂b)‖₂ of this step to the running sums.</summary>
    private void CollectGradientNorms()
    {
        if (!_collectsDiagnostics)
        {
            return;
        }

        for (int l = 0; l < Architecture.Layers.Count; l++)
        {
            double sumOfSquares = SumOfSquares(WeightGradient(l)) + SumOfSquares(BiasGradient(l));
            _diagnostics.GradientNormSum[l] += Math.Sqrt(sumOfSquares);
            _diagnostics.Steps[l]++;
        }
    }

    private static double SumOfSquares(ReadOnlySpan<T> values)
    {
        double sum = 0;
        foreach (T value in values)
        {
            double v = double.CreateTruncating(value);
            sum += v * v;
        }

        return sum;
    }

    /// <summary>Running counts per layer; the per-unit flags are rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    private sealed class DiagnosticsState : IDisposable
    {
        public DiagnosticsState(MlpArchitecture architecture)
        {
            int layers = architecture.Layers.Count;
            Saturated = new long[layers];
            Seen = new long[layers];
            GradientNormSum = new double[layers];
            Steps = new long[layers];
            SaturationLimit = new double[layers];
            Alive = new int[layers][];
            for (int l = 0; l < layers; l++)
            {
                DenseLayer layer = architecture.Layers[l];
                Alive[l] = ArrayPool<int>.Shared.Rent(layer.Outputs);
                Alive[l].AsSpan(0, layer.Outputs).Clear();
                SaturationLimit[l] = layer.Activation.Kind switch
                {
                    // σ′(p) = e/(1+e)², e = exp(−|p|); σ′ = t·¼ solves t′e² + (2t′−1)e + t′ = 0 with t′ = t/4, smaller root.
                    ActivationKind.Sigmoid => -Math.Log((1 - 2 * (SaturationThreshold / 4) - Math.Sqrt(1 - SaturationThreshold)) / (2 * (SaturationThreshold / 4))),
                    // tanh′(p) = 1 − tanh²(p) = t ⇔ |p| = atanh(√(1 − t)).
                    ActivationKind.Tanh => Math.Atanh(Math.Sqrt(1 - SaturationThreshold)),
                    _ => double.NaN,
                };
            }
        }

        public long[] Saturated { get; }

        public long[] Seen { get; }

        public int[][] Alive { get; }

        public double[] GradientNormSum { get; }

        public long[] Steps { get; }

        /// <summary>|p| beyond which f′(p) &lt; SaturationThreshold · max f′.</summary>
        public double[] SaturationLimit { get; }

        public LayerDiagnostics Take(int l, DenseLayer layer)
        {
            double saturated = layer.Activation.Kind is ActivationKind.Sigmoid or ActivationKind.Tanh
                ? (Seen[l] == 0 ? 0 : (double)Saturated[l] / Seen[l])
                : double.NaN;
            double dead = double.NaN;
            Span<int> alive = Alive[l].AsSpan(0, layer.Outputs);
            if (layer.Activation.Kind == ActivationKind.Relu)
            {
                int deadUnits = 0;
                foreach (int a in alive)
                {
                    deadUnits += a == 0 ? 1 : 0;
                }

                dead = Steps[l] == 0 ? 0 : (double)deadUnits / layer.Outputs;
            }

            var result = new LayerDiagnostics(l, layer.Activation, saturated, dead, Steps[l] == 0 ? 0 : GradientNormSum[l] / Steps[l], Steps[l]);
            Saturated[l] = 0;
            Seen[l] = 0;
            GradientNormSum[l] = 0;
            Steps[l] = 0;
            alive.Clear();
            return result;
        }

        public void Dispose()
        {
            foreach (int[] alive in Alive)
            {
                ArrayPool<int>.Shared.Return(alive);
            }
        }
    }
}
