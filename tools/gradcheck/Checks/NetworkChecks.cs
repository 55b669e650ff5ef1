using System.Globalization;

using FastBackprop.GradCheck.Engine;
using FastBackprop.Training;

namespace FastBackprop.GradCheck.Checks;

/// <summary>
/// Whole networks through the trainer's public API: the gradient of the batch loss J(θ) that
/// <see cref="Mlp{T}.ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/> leaves in <see cref="Mlp{T}.Gradients"/>,
/// and in the <c>mlp-input-*</c> checks also ∂J/∂X, against central differences of J itself — the chain rule through
/// every layer, end to end. Each is named <c>mlp-</c>, its activations (or <c>mixed</c>), then its loss head's registry name.
/// </summary>
public static class NetworkChecks
{
    public static IEnumerable<CheckDefinition> All =>
    [
        Network("mlp-tanh-softmax-cross-entropy", Architecture([2, 500, 2], Activation.Tanh, LossKind.SoftmaxCrossEntropy), "seed 003: 2 → 500 tanh → 2, softmax cross-entropy on labels"),
        Network("mlp-relu-sigmoid-squared-error-sum", new MlpArchitecture(2, [new DenseLayer(2, Activation.Relu, HasBias: false), new DenseLayer(2, Activation.Sigmoid, HasBias: false)], LossKind.SquaredErrorSum), "seed 002: 2 → 2 ReLU → 2 sigmoid, Σ(z − y)², no bias"),
        Network(
            "mlp-mixed-sigmoid-cross-entropy",
            new MlpArchitecture(5, [new DenseLayer(16, Activation.GeluTanh), new DenseLayer(12, Activation.Elu(1.0)), new DenseLayer(8, Activation.Silu), new DenseLayer(3, Activation.Identity)], LossKind.SigmoidCrossEntropy),
            "5 → 16 GELU → 12 ELU → 8 SiLU → 3, binary cross-entropy with logits"),
        Network(
            "mlp-mixed-squared-error-mean",
            new MlpArchitecture(4, [new DenseLayer(9, Activation.Sigmoid), new DenseLayer(7, Activation.LeakyRelu(0.01)), new DenseLayer(3, Activation.Softplus)], LossKind.MeanSquaredError),
            "4 → 9 sigmoid → 7 LeakyReLU → 3 softplus, mean squared error"),
        Network("mlp-gelu-erf-squared-error-half-sum", Architecture([3, 6, 2], Activation.GeluErf, LossKind.HalfSquaredErrorSum), "3 → 6 GELU(erf) → 2, ½Σ(y − z)²"),
        Network("mlp-input-tanh-softmax-cross-entropy", Architecture([4, 12, 3], Activation.Tanh, LossKind.SoftmaxCrossEntropy), "∂J/∂X and ∂J/∂θ: 4 → 12 tanh → 3, softmax cross-entropy on labels", inputGradient: true),
        Network("mlp-input-gelu-tanh-squared-error-mean", Architecture([5, 8, 6, 2], Activation.GeluTanh, LossKind.MeanSquaredError), "∂J/∂X and ∂J/∂θ: 5 → 8 GELU → 6 GELU → 2, mean squared error", inputGradient: true),
    ];

    /// <summary>Layer widths (inputs first), one hidden activation, and an identity output layer.</summary>
    public static MlpArchitecture Architecture(IReadOnlyList<int> widths, Activation hidden, LossKind loss) =>
        new(widths[0], widths.Skip(1).Select((w, i) => new DenseLayer(w, i == widths.Count - 2 ? Activation.Identity : hidden)), loss);

    /// <summary>
    /// A check of <paramref name="architecture"/> at <paramref name="parameters"/> (a checkpoint's), or else at the
    /// trainer's initialization from the run's seed plus U(−0.1, 0.1) on every parameter so that biases are not 0.
    /// The batch has <c>M</c> rows (<c>--shape</c>) of inputs in [−1, 1] and random targets (labels for softmax cross-entropy).
    /// With <paramref name="inputGradient"/> the inputs X are differentiated too, through the
    /// <see cref="Mlp{T}.ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Span{T})"/> overloads that write ∂J/∂X.
    /// </summary>
    public static CheckDefinition Network(string kernel, MlpArchitecture architecture, string note, double[]? parameters = null, bool inputGradient = false) =>
        new(kernel, "network", shapes =>
        {
            Random random = Data.Random(shapes, kernel);
            int rows = shapes.M;
            double[] theta = parameters ?? Initial(architecture, shapes.Seed, random);
            bool labels = architecture.Loss == LossKind.SoftmaxCrossEntropy;
            double[] targets = labels
                ? [.. Enumerable.Range(0, rows).Select(_ => (double)random.Next(architecture.Outputs))]
                : architecture.Loss == LossKind.SigmoidCrossEntropy
                    ? Data.Uniform(random, rows * architecture.Outputs, 0, 1)
                    : Data.Uniform(random, rows * architecture.Outputs, -1, 1);
            return new CheckCase
            {
                Kernel = kernel,
                Group = "network",
                Op = new NetworkOp(architecture, rows, labels),
                Inputs = [new("θ", theta), new("x", Data.Uniform(random, rows * architecture.Inputs, -1, 1), Differentiable: inputGradient), new("targets", targets, Differentiable: false)],
                OutputLength = 1,
                Note = string.Create(CultureInfo.InvariantCulture, $"{note}; {theta.Length} parameters, batch {rows}"),
                FloatTolerance = Tolerances.FloatNetwork,
            };
        });

    private static double[] Initial(MlpArchitecture architecture, int seed, Random random)
    {
        using var network = new Mlp<double>(architecture, new OptimizerSettings(), 1, (ulong)seed);
        double[] theta = network.Parameters.ToArray();
        double[] jitter = Data.Uniform(random, theta.Length, -0.1, 0.1);
        return [.. theta.Zip(jitter, (t, j) => (double)(float)(t + j))];
    }

    /// <summary>
    /// J(θ, X) on a fixed batch; backward: dJ · ∂J/∂θ from the trainer, and dJ · ∂J/∂X where X is differentiated
    /// (the overload that writes ∂J/∂X, straight into the checker's buffer).
    /// </summary>
    public sealed class NetworkOp(MlpArchitecture architecture, int rows, bool labels) : GradOp
    {
        private readonly Dictionary<Type, object> networks = [];

        /// <summary>The network whose J is differentiated.</summary>
        public MlpArchitecture Architecture => architecture;

        public override void Forward<T>(IReadOnlyList<T[]> inputs, T[] output) => output[0] = Loss(inputs, null);

        public override void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        {
            T[]? dx = gradients[1];
            Loss(inputs, dx);
            ReadOnlySpan<T> gradient = Network<T>().Gradients;
            T[] dtheta = gradients[0]!;
            for (int i = 0; i < dtheta.Length; i++)
            {
                dtheta[i] = gradient[i] * upstream[0];
            }

            if (dx is not null)
            {
                for (int i = 0; i < dx.Length; i++)
                {
                    dx[i] *= upstream[0];
                }
            }
        }

        private T Loss<T>(IReadOnlyList<T[]> inputs, T[]? inputGradient)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            Mlp<T> network = Network<T>();
            inputs[0].CopyTo(network.Parameters);
            int[] classes = labels ? [.. inputs[2].Select(int.CreateTruncating)] : [];
            if (inputGradient is not null)
            {
                return labels
                    ? network.ComputeGradients(inputs[1], classes, rows, inputGradient)
                    : network.ComputeGradients(inputs[1], inputs[2], rows, inputGradient);
            }

            return labels
                ? network.ComputeGradients(inputs[1], classes, rows)
                : network.ComputeGradients(inputs[1], inputs[2], rows);
        }

        private Mlp<T> Network<T>()
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            if (!networks.TryGetValue(typeof(T), out object? network))
            {
                network = new Mlp<T>(architecture, new OptimizerSettings(), rows, 0);
                networks[typeof(T)] = network;
            }

            return (Mlp<T>)network;
        }
    }
}
