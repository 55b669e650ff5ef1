using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Cli;
using FastBackprop.Training;

namespace FastBackprop.GradCheck.Tests;

public class NetworkTests
{
    [Fact]
    public void Network_gradient_off_by_a_factor_of_the_batch_fails_its_rows_only()
    {
        CheckDefinition definition = CheckRegistry.Default.Definitions.Single(d => d.Kernel == "mlp-relu-sigmoid-squared-error-sum");
        var registry = CheckRegistry.Default.Replace("mlp-relu-sigmoid-squared-error-sum", shapes => new BrokenOps.ScaledGradient(definition.Create(shapes).Op, shapes.M));

        var outcome = Runner.Json(registry, "--kernel", "network");

        Assert.Equal(["mlp-relu-sigmoid-squared-error-sum double", "mlp-relu-sigmoid-squared-error-sum float"], outcome.FailedRows);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    /// <summary>The ∂J/∂X checks compare every parameter and every input, and pass.</summary>
    [Fact]
    public void Input_gradient_checks_compare_parameters_and_inputs_and_pass()
    {
        var outcome = Runner.Json(CheckRegistry.Default, "--kernel", "mlp-input");

        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        Assert.Equal(
            ["mlp-input-gelu-tanh-squared-error-mean", "mlp-input-gelu-tanh-squared-error-mean", "mlp-input-tanh-softmax-cross-entropy", "mlp-input-tanh-softmax-cross-entropy"],
            outcome.Results.Select(r => r.Kernel).Order(StringComparer.Ordinal));
        int rows = new CaseShapes().M;
        Assert.All(outcome.Results, r => Assert.Equal(
            r.Kernel == "mlp-input-gelu-tanh-squared-error-mean" ? (5 * 8) + 8 + (8 * 6) + 6 + (6 * 2) + 2 + (rows * 5) : (4 * 12) + 12 + (12 * 3) + 3 + (rows * 4),
            r.Compared));
    }

    /// <summary>∂J/∂X with the wrong sign, parameters' gradient right: the input-gradient rows fail.</summary>
    [Fact]
    public void Input_gradient_of_the_wrong_sign_fails_its_rows_only()
    {
        CheckDefinition definition = CheckRegistry.Default.Definitions.Single(d => d.Kernel == "mlp-input-gelu-tanh-squared-error-mean");
        var registry = CheckRegistry.Default.Replace("mlp-input-gelu-tanh-squared-error-mean", shapes => new BrokenOps.NegatedInputGradient(definition.Create(shapes).Op, 1));

        var outcome = Runner.Json(registry, "--kernel", "network");

        Assert.Equal(["mlp-input-gelu-tanh-squared-error-mean double", "mlp-input-gelu-tanh-squared-error-mean float"], outcome.FailedRows);
        Assert.Equal(GradCheckApp.Failed, outcome.ExitCode);
    }

    [Fact]
    public void Network_option_checks_that_network_alone()
    {
        var outcome = Runner.Json(CheckRegistry.Default, "--network", "3,5,2", "--activation", "gelu-erf", "--loss", "squared-error-mean");

        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        Assert.Equal(["network", "network"], outcome.Results.Select(r => r.Kernel));
        Assert.All(outcome.Results, r => Assert.Equal(3 * 5 + 5 + (5 * 2) + 2, r.Compared));
    }

    [Fact]
    public void Checkpoint_option_checks_the_saved_network_at_its_saved_parameters()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gradcheck-{Guid.NewGuid():N}.fbp");
        var architecture = NetworkChecks.Architecture([4, 6, 3], Activation.Tanh, LossKind.SoftmaxCrossEntropy);
        using (var network = new Mlp<double>(architecture, new OptimizerSettings(), 8, 7))
        {
            Checkpoint.Save(network, path);
        }

        try
        {
            var outcome = Runner.Json(CheckRegistry.Default, "--checkpoint", path);

            Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
            Assert.Equal(["checkpoint", "checkpoint"], outcome.Results.Select(r => r.Kernel));
            Assert.All(outcome.Results, r => Assert.Equal((4 * 6) + 6 + (6 * 3) + 3, r.Compared));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--network", "2,x")]
    [InlineData("--network", "2")]
    [InlineData("--network", "2,3", "--activation", "swish")]
    [InlineData("--network", "2,3", "--loss", "hinge")]
    [InlineData("--loss", "squared-error-mean")]
    [InlineData("--checkpoint", "/nonexistent/model.fbp")]
    public void Bad_network_usage_prints_one_line_and_exits_2(params string[] args)
    {
        var outcome = Runner.Raw(CheckRegistry.Default, args);

        Assert.Equal(GradCheckApp.BadUsage, outcome.ExitCode);
        Assert.StartsWith("gradcheck: ", Assert.Single(outcome.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
