namespace FastBackprop.Train.Tests;

public sealed class UsageTests
{
    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--layers", "12,x")]
    [InlineData("--loss", "hinge")]
    [InlineData("--no-such-option")]
    public void A_bad_option_is_one_line_on_stderr_and_exit_code_2(params string[] args)
    {
        TrainProcess.Outcome outcome = TrainProcess.Run(Path.GetTempPath(), args);

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("train: ", line);
        Assert.DoesNotContain("   at ", outcome.Error);
    }
}
