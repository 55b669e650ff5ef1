using System.Reflection;
using System.Text.RegularExpressions;

using FastBackprop.Tests.Support;
using FastBackprop.Training;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// The registries of activations and losses: one entry per kind, names that round-trip, and every activation entry
/// reachable from every entry point of the library (forward and backward in float and double, the backward from the
/// output where it exists, dense layers, checkpoints), each with its row of <see cref="ActivationCases"/>. The tools'
/// test projects enumerate the same registry for their own consumers (gradcheck's checks, both CLIs, the benchmarks).
/// </summary>
public partial class RegistryTests
{
    public static IEnumerable<object[]> Kinds => ActivationInfo.All.Select(i => new object[] { i.Kind });

    public static IEnumerable<object[]> LossKinds => LossInfo.All.Select(i => new object[] { i.Kind });

    [Fact]
    public void Every_activation_kind_has_one_entry_in_the_order_of_the_enum()
    {
        Assert.Equal(Enum.GetValues<ActivationKind>(), ActivationInfo.All.Select(i => i.Kind));
        Assert.Equal(ActivationInfo.All.Count, ActivationInfo.All.Select(i => i.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Every_loss_kind_has_one_entry_in_the_order_of_the_enum()
    {
        Assert.Equal(Enum.GetValues<LossKind>(), LossInfo.All.Select(i => i.Kind));
        Assert.Equal(LossInfo.All.Count, LossInfo.All.Select(i => i.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    /// <summary>Checkpoints store both kinds as numbers (docs/CHECKPOINT.md): a renumbered kind would misread every saved file.</summary>
    [Fact]
    public void Kinds_keep_the_numbers_checkpoints_store()
    {
        Assert.Equal(
            [(ActivationKind.Identity, 0), (ActivationKind.Sigmoid, 1), (ActivationKind.Tanh, 2), (ActivationKind.Relu, 3), (ActivationKind.LeakyRelu, 4),
             (ActivationKind.Elu, 5), (ActivationKind.GeluTanh, 6), (ActivationKind.GeluErf, 7), (ActivationKind.Silu, 8), (ActivationKind.Softplus, 9),
             (ActivationKind.LogSigmoid, 10)],
            Enum.GetValues<ActivationKind>().Select(k => (k, (int)k)));
        Assert.Equal(
            [(LossKind.SquaredErrorSum, 0), (LossKind.HalfSquaredErrorSum, 1), (LossKind.MeanSquaredError, 2), (LossKind.SoftmaxCrossEntropy, 3), (LossKind.SigmoidCrossEntropy, 4)],
            Enum.GetValues<LossKind>().Select(k => (k, (int)k)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Activation_name_is_the_kind_in_kebab_case_and_round_trips(ActivationKind kind)
    {
        ActivationInfo info = ActivationInfo.Of(kind);

        Assert.Equal(Kebab(kind.ToString()), info.Name);
        Assert.True(ActivationInfo.TryParse(info.Name, out ActivationInfo? parsed));
        Assert.Same(info, parsed);
        Assert.True(ActivationInfo.TryParse(info.Name.ToUpperInvariant(), out parsed));
        Assert.Same(info, parsed);
        Assert.Equal(new Activation(kind, info.DefaultAlpha), info.Default);
        Assert.Equal(info.UsesAlpha, info.DefaultAlpha != 0);
    }

    [Theory]
    [MemberData(nameof(LossKinds))]
    public void Loss_name_is_kebab_case_and_round_trips(LossKind kind)
    {
        LossInfo info = LossInfo.Of(kind);

        Assert.Matches(KebabName(), info.Name);
        Assert.True(LossInfo.TryParse(info.Name, out LossInfo? parsed));
        Assert.Same(info, parsed);
        Assert.True(LossInfo.TryParse(info.Name.ToUpperInvariant(), out parsed));
        Assert.Same(info, parsed);
    }

    [Fact]
    public void Unknown_names_and_kinds_are_not_found_and_Of_names_kind()
    {
        Assert.False(ActivationInfo.TryParse("swish", out _));
        Assert.False(LossInfo.TryParse("hinge", out _));
        Assert.False(ActivationInfo.TryGet((ActivationKind)ActivationInfo.All.Count, out _));
        Assert.False(ActivationInfo.TryGet((ActivationKind)(-1), out _));
        Assert.False(LossInfo.TryGet((LossKind)99, out _));
        Assert.Equal("kind", Assert.Throws<ArgumentException>(() => ActivationInfo.Of((ActivationKind)99)).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentException>(() => LossInfo.Of((LossKind)99)).ParamName);
    }

    [Fact]
    public void Named_activations_are_their_entries_defaults()
    {
        Assert.Equal(
            ActivationInfo.All.Select(i => i.Default),
            [Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.LeakyRelu(), Activation.Elu(), Activation.GeluTanh,
             Activation.GeluErf, Activation.Silu, Activation.Softplus, Activation.LogSigmoid]);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_activation_has_a_row_of_test_cases(ActivationKind kind) =>
        Assert.Single(ActivationCases.All, c => c.Activation.Kind == kind);

    /// <summary>
    /// Forward and backward from the input in float and double through <see cref="Activations.Forward"/> and
    /// <see cref="Activations.Backward"/>, against the case's double reference; <see cref="ActivationsTests"/> holds
    /// the tight bounds, this checks that the entry reaches its own op and not another's.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_activation_runs_forward_and_backward_in_float_and_double(ActivationKind kind)
    {
        ActivationCase row = ActivationCases.All.Single(c => c.Activation.Kind == kind);
        double[] x = Inputs.Uniform<double>(64, -6, 6, seed: 3);
        float[] xf = [.. x.Select(v => (float)v)];
        double[] dy = Inputs.Uniform<double>(64, -2, 2, seed: 4);
        float[] dyf = [.. dy.Select(v => (float)v)];
        double[] y = new double[x.Length], dx = new double[x.Length];
        float[] yf = new float[x.Length], dxf = new float[x.Length];

        Activations.Forward<double>(row.Activation, x, y);
        Activations.Forward<float>(row.Activation, xf, yf);
        Activations.Backward<double>(row.Activation, x, dy, dx);
        Activations.Backward<float>(row.Activation, xf, dyf, dxf);

        for (int i = 0; i < x.Length; i++)
        {
            double f = row.Function(x[i]), g = dy[i] * row.Derivative(x[i]);
            string at = $"{kind} at x = {x[i]:R}";
            Assert.True(Math.Abs(y[i] - f) <= 1e-12 * (1 + Math.Abs(f)), $"{at}: double forward {y[i]:R}, reference {f:R}");
            Assert.True(Math.Abs(yf[i] - f) <= 1e-5 * (1 + Math.Abs(f)), $"{at}: float forward {yf[i]:R}, reference {f:R}");
            Assert.True(Math.Abs(dx[i] - g) <= 1e-12 * (1 + Math.Abs(g)), $"{at}: double backward {dx[i]:R}, reference {g:R}");
            Assert.True(Math.Abs(dxf[i] - g) <= 1e-5 * (1 + Math.Abs(g)), $"{at}: float backward {dxf[i]:R}, reference {g:R}");
        }
    }

    /// <summary>Where the entry says f′ is a function of y, the backward from y agrees with the one from x; elsewhere it is refused.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_activation_has_a_backward_from_the_output_exactly_where_its_entry_says(ActivationKind kind)
    {
        Activation activation = ActivationInfo.Of(kind).Default;
        double[] x = Inputs.Uniform<double>(64, -4, 4, seed: 5);
        double[] dy = Inputs.Uniform<double>(64, -2, 2, seed: 6);
        double[] y = new double[x.Length], fromInput = new double[x.Length], fromOutput = new double[x.Length];
        Activations.Forward<double>(activation, x, y);
        Activations.Backward<double>(activation, x, dy, fromInput);

        Assert.Equal(ActivationInfo.Of(kind).SupportsBackwardFromOutput(activation.Alpha), activation.SupportsBackwardFromOutput);
        if (!activation.SupportsBackwardFromOutput)
        {
            Assert.Equal("activation", Assert.Throws<ArgumentException>(() => Activations.BackwardFromOutput<double>(activation, y, dy, fromOutput)).ParamName);
            return;
        }

        Activations.BackwardFromOutput<double>(activation, y, dy, fromOutput);
        float[] fromOutputFloat = new float[x.Length];
        Activations.BackwardFromOutput<float>(activation, [.. y.Select(v => (float)v)], [.. dy.Select(v => (float)v)], fromOutputFloat);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(fromOutput[i] - fromInput[i]) <= 1e-13, $"{kind} x = {x[i]:R}: {fromOutput[i]:R} vs {fromInput[i]:R}");
            Assert.True(Math.Abs(fromOutputFloat[i] - fromInput[i]) <= 1e-5, $"{kind} x = {x[i]:R}: float {fromOutputFloat[i]:R} vs {fromInput[i]:R}");
        }
    }

    /// <summary>A hidden layer of every kind trains one step and comes back from a checkpoint with its kind and α.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_activation_reaches_dense_layers_and_checkpoints(ActivationKind kind)
    {
        Activation activation = ActivationInfo.Of(kind).Default;
        var architecture = new MlpArchitecture(3, [new DenseLayer(4, activation), new DenseLayer(2, Activation.Identity)], LossKind.SoftmaxCrossEntropy);
        using var network = new Mlp<float>(architecture, new OptimizerSettings(OptimizerKind.Sgd, 0.1), maxBatch: 2, seed: 1);
        float[] x = [0.5f, -1, 2, -0.25f, 1.5f, -2];
        int[] labels = [0, 1];
        float before = network.ComputeGradients(x, labels, 2);
        network.ApplyUpdate();
        Assert.True(network.ComputeGradients(x, labels, 2) < before, $"{kind}: one SGD step did not lower the loss {before}");

        using var stream = new MemoryStream();
        Checkpoint.Save(network, stream);
        stream.Position = 0;
        using Mlp<float> loaded = Checkpoint.Load<float>(stream, 2);
        Assert.Equal(architecture, loaded.Architecture);
        Assert.Equal(activation, loaded.Architecture.Layers[0].Activation);
    }

    /// <summary>A logit head refuses a last layer that is not Identity; the others take any.</summary>
    [Theory]
    [MemberData(nameof(LossKinds))]
    public void Loss_entry_says_which_heads_take_logits(LossKind kind)
    {
        MlpArchitecture Build() => new(2, [new DenseLayer(3, Activation.Sigmoid)], kind);
        if (LossInfo.Of(kind).TakesLogits)
        {
            Assert.Equal("layers", Assert.Throws<ArgumentException>(Build).ParamName);
        }
        else
        {
            Assert.Equal(kind, Build().Loss);
        }
    }

    /// <summary>The same rows twice: a mean head's J stays, a summed head's J doubles.</summary>
    [Theory]
    [MemberData(nameof(LossKinds))]
    public void Loss_entry_says_which_heads_are_a_mean_over_the_batch(LossKind kind)
    {
        var architecture = new MlpArchitecture(2, [new DenseLayer(3, LossInfo.Of(kind).TakesLogits ? Activation.Identity : Activation.Sigmoid)], kind);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(), maxBatch: 4, seed: 2);
        double[] x = [0.5, -1, 2, 0.25];
        double[] targets = [1, 0, 0, 0, 0, 1];
        double once = network.ComputeGradients(x, targets, 2);
        double twice = network.ComputeGradients([.. x, .. x], [.. targets, .. targets], 4);

        Assert.Equal(LossInfo.Of(kind).IsMean ? once : 2 * once, twice, 1e-12);
    }

    /// <summary>One kernel name per concept: every head has a public function of its own name in <see cref="Losses"/>.</summary>
    [Theory]
    [MemberData(nameof(LossKinds))]
    public void Every_loss_kind_has_a_Losses_function_of_its_name(LossKind kind) =>
        Assert.Contains(typeof(Losses).GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.Name == kind.ToString());

    /// <summary>A squared-error network's J is the <see cref="Losses"/> function named as its head, on its output Z: each head calls its own kernel.</summary>
    [Theory]
    [InlineData(LossKind.SquaredErrorSum)]
    [InlineData(LossKind.HalfSquaredErrorSum)]
    [InlineData(LossKind.MeanSquaredError)]
    public void A_squared_error_head_computes_J_with_the_Losses_function_of_its_name(LossKind kind)
    {
        var architecture = new MlpArchitecture(2, [new DenseLayer(3, Activation.Identity)], kind);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(), maxBatch: 2, seed: 2);
        double[] x = [0.5, -1, 2, 0.25];
        double[] targets = [1, 0, 0, 0, 0, 1];
        double[] z = new double[6];
        double[] gradient = new double[6];
        network.Predict(x, 2, z);
        double expected = kind switch
        {
            LossKind.SquaredErrorSum => Losses.SquaredErrorSum<double>(z, targets, gradient),
            LossKind.HalfSquaredErrorSum => Losses.HalfSquaredErrorSum<double>(z, targets, gradient),
            _ => Losses.MeanSquaredError<double>(z, targets, gradient),
        };

        Assert.Equal(expected, network.ComputeGradients(x, targets, 2));
    }

    private static string Kebab(string pascal) => string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    [GeneratedRegex("^[a-z]+(-[a-z]+)*$")]
    private static partial Regex KebabName();
}
