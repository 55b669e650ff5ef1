using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Cli;
using FastBackprop.Training;

namespace FastBackprop.GradCheck.Tests;

/// <summary>
/// Every entry of the library's registries reaches gradcheck: an activation has a check under its registry name
/// (and one from the output exactly where its entry has that backward), which passes; a loss head has kernel checks
/// its name selects and a network check with that head; both names are what <c>--activation</c> and <c>--loss</c> take.
/// </summary>
public class RegistryTests
{
    public static IEnumerable<object[]> ActivationNames => ActivationInfo.All.Select(i => new object[] { i.Name });

    public static IEnumerable<object[]> LossNames => LossInfo.All.Select(i => new object[] { i.Name });

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Every_activation_has_its_checks_and_they_pass(string name)
    {
        Assert.True(ActivationInfo.TryParse(name, out ActivationInfo? info));
        string[] kernels = [.. CheckRegistry.Default.Definitions.Where(d => d.Group == "activations").Select(d => d.Kernel)];
        Assert.Contains(name, kernels);
        Assert.Equal(info.SupportsBackwardFromOutput(info.DefaultAlpha), kernels.Contains(name + "-from-output"));

        var outcome = Runner.Json(CheckRegistry.Default, "--kernel", name);

        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        Assert.Equal(["double", "float"], outcome.Results.Where(r => r.Kernel == name).Select(r => r.Dtype).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Every_activation_name_is_a_network_activation(string name)
    {
        var outcome = Runner.Json(CheckRegistry.Default, "--network", "3,4,2", "--activation", name, "--dtype", "double");

        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        Assert.Equal(["network"], outcome.Results.Select(r => r.Kernel));
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Every_loss_has_kernel_checks_a_network_check_and_is_a_network_loss(string name)
    {
        Assert.True(LossInfo.TryParse(name, out LossInfo? info));
        Assert.Contains(CheckRegistry.Default.Select([name]), d => d.Group == "losses");
        Assert.Contains(
            CheckRegistry.Default.Definitions.Where(d => d.Group == "network"),
            d => d.Create(new CaseShapes()).Op is NetworkChecks.NetworkOp op && op.Architecture.Loss == info.Kind);

        var outcome = Runner.Json(CheckRegistry.Default, "--network", "3,4,2", "--loss", name, "--dtype", "double");

        Assert.Equal(GradCheckApp.Passed, outcome.ExitCode);
        Assert.Equal(["network"], outcome.Results.Select(r => r.Kernel));
    }

    [Fact]
    public void Help_lists_every_activation_and_loss_name()
    {
        string help = Runner.Raw(CheckRegistry.Default, "--help").Output;

        Assert.All(ActivationInfo.All, i => Assert.Contains(i.Name, help, StringComparison.Ordinal));
        Assert.All(LossInfo.All, i => Assert.Contains(i.Name, help, StringComparison.Ordinal));
    }
}
