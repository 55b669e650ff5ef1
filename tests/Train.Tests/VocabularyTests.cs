using FastBackprop.Training;

namespace FastBackprop.Train.Tests;

/// <summary>
/// <c>--activation</c> and <c>--loss</c> take exactly the library's registry names (the vocabulary gradcheck takes
/// too): every entry parses to itself, prints back under its name, and is listed in <c>--help</c>.
/// </summary>
public sealed class VocabularyTests
{
    public static IEnumerable<object[]> ActivationNames => ActivationInfo.All.Select(i => new object[] { i.Name });

    public static IEnumerable<object[]> LossNames => LossInfo.All.Select(i => new object[] { i.Name });

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Every_activation_name_parses_to_its_entry_and_prints_back(string name)
    {
        Activation activation = Vocabulary.ParseActivation(name, "--activation");

        Assert.True(ActivationInfo.TryParse(name, out ActivationInfo? info));
        Assert.Equal(info.Default, activation);
        Assert.Equal(name, Vocabulary.Name(activation));
        Assert.Equal(activation, Vocabulary.ParseActivation(name.ToUpperInvariant(), "--activation"));
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Every_loss_name_parses_to_its_entry_and_prints_back(string name)
    {
        LossKind loss = Vocabulary.ParseLoss(name, "--loss");

        Assert.True(LossInfo.TryParse(name, out LossInfo? info));
        Assert.Equal(info.Kind, loss);
        Assert.Equal(name, Vocabulary.Name(loss));
    }

    [Fact]
    public void An_activation_with_another_alpha_prints_its_alpha()
    {
        Assert.Equal("elu(α=0.5)", Vocabulary.Name(Activation.Elu(0.5)));
    }

    [Theory]
    [InlineData("--activation", "gelu")]
    [InlineData("--loss", "softmax-ce")]
    [InlineData("--loss", "mse")]
    public void Names_outside_the_registry_are_refused_with_the_known_ones(string option, string name)
    {
        var error = Assert.Throws<UsageException>(() => option == "--loss" ? Vocabulary.ParseLoss(name, option) : Vocabulary.ParseActivation(name, option).Kind);

        Assert.Contains(option == "--loss" ? "softmax-cross-entropy" : "gelu-tanh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_activation_and_loss_name()
    {
        TrainProcess.Outcome outcome = TrainProcess.Run(Path.GetTempPath(), "--help");

        Assert.Equal(0, outcome.ExitCode);
        Assert.All(ActivationInfo.All, i => Assert.Contains(i.Name, outcome.Output, StringComparison.Ordinal));
        Assert.All(LossInfo.All, i => Assert.Contains(i.Name, outcome.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void Log_sigmoid_trains_from_the_command_line()
    {
        using var directory = new TempDirectory();
        string csv = Iris.WriteBadlyScaled(directory.Path);

        TrainProcess.Outcome outcome = TrainProcess.Run(directory.Path, "--csv", csv, "--activation", "log-sigmoid", "--loss", "squared-error-mean", "--epochs", "2", "--quiet");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("test accuracy:", outcome.Output, StringComparison.Ordinal);
    }
}
