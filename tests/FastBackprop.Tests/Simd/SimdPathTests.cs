namespace FastBackprop.Tests.Simd;

public class SimdPathTests
{
    /// <summary>
    /// CI names the path each run must exercise (FASTBACKPROP_EXPECTED_PATH), so a mis-set matrix fails instead of
    /// silently testing the wrong path twice. Without it, the active path is the hardware's unless forced.
    /// </summary>
    [Fact]
    public void Active_path_is_the_one_CI_expected()
    {
        string? expected = Environment.GetEnvironmentVariable("FASTBACKPROP_EXPECTED_PATH");
        if (expected is not null)
        {
            Assert.Equal(Enum.Parse<SimdPath>(expected), SimdInfo.ActivePath);
        }
        else if (Environment.GetEnvironmentVariable(SimdInfo.EnvironmentVariable) is null)
        {
            Assert.Equal(SimdInfo.HardwarePath, SimdInfo.ActivePath);
        }
    }

    [Theory]
    [InlineData(SimdPath.Vector512, null, SimdPath.Vector512)]
    [InlineData(SimdPath.Vector512, "", SimdPath.Vector512)]
    [InlineData(SimdPath.Vector512, " \t", SimdPath.Vector512)]
    [InlineData(SimdPath.Vector512, "vector256", SimdPath.Vector256)]
    [InlineData(SimdPath.Vector512, " Vector128 ", SimdPath.Vector128)]
    [InlineData(SimdPath.Vector512, "SCALAR", SimdPath.Scalar)]
    [InlineData(SimdPath.Vector128, "vector512", SimdPath.Vector128)]
    [InlineData(SimdPath.Scalar, "vector256", SimdPath.Scalar)]
    public void Forcing_narrows_the_path_and_never_widens_it(SimdPath hardware, string? requested, SimdPath expected)
    {
        Assert.Equal(expected, SimdInfo.Choose(hardware, requested, null).Path);
        Assert.Equal(expected, SimdInfo.Choose(hardware, null, requested).Path);
        Assert.Null(SimdInfo.Choose(hardware, requested, requested).Error);
    }

    [Theory]
    [InlineData("vector128", "scalar", SimdPath.Vector128)]
    [InlineData("scalar", "vector128", SimdPath.Scalar)]
    [InlineData("vector512", "vector128", SimdPath.Vector512)]
    [InlineData(" ", "vector128", SimdPath.Vector128)]
    public void The_environment_variable_wins_over_the_AppContext_setting(string variable, string setting, SimdPath expected)
    {
        SimdChoice choice = SimdInfo.Choose(SimdPath.Vector512, variable, setting);

        Assert.Equal(expected, choice.Path);
        Assert.Equal(expected, choice.Requested);
        Assert.Null(choice.Error);
    }

    [Fact]
    public void The_AppContext_setting_may_be_a_SimdPath_value()
    {
        Assert.Equal(SimdPath.Vector256, SimdInfo.Choose(SimdPath.Vector512, null, SimdPath.Vector256).Path);
        Assert.Null(SimdInfo.Choose(SimdPath.Vector512, null, SimdPath.Vector256).Error);
    }

    [Fact]
    public void An_unknown_variable_is_ignored_and_reported_and_the_hardware_path_runs()
    {
        SimdChoice choice = SimdInfo.Choose(SimdPath.Vector256, "avx9", null);

        Assert.Equal(SimdPath.Vector256, choice.Path);
        Assert.Null(choice.Requested);
        Assert.Equal(
            "FastBackprop: FASTBACKPROP_SIMD='avx9' is not one of scalar, vector128, vector256, vector512; ignored, running Vector256.",
            choice.Error);
    }

    [Fact]
    public void An_unknown_variable_leaves_the_choice_to_a_valid_AppContext_setting()
    {
        SimdChoice choice = SimdInfo.Choose(SimdPath.Vector512, "vector 128", "vector128");

        Assert.Equal(SimdPath.Vector128, choice.Path);
        Assert.Equal(SimdPath.Vector128, choice.Requested);
        Assert.StartsWith("FastBackprop: FASTBACKPROP_SIMD='vector 128' is not one of", choice.Error, StringComparison.Ordinal);
        Assert.EndsWith("; ignored, running Vector128.", choice.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sse")]
    [InlineData(2)]
    [InlineData((SimdPath)7)]
    public void An_unknown_AppContext_setting_is_ignored_and_reported(object setting)
    {
        SimdChoice choice = SimdInfo.Choose(SimdPath.Vector512, null, setting);

        Assert.Equal(SimdPath.Vector512, choice.Path);
        Assert.Null(choice.Requested);
        Assert.StartsWith("FastBackprop: AppContext setting FastBackprop.Simd", choice.Error, StringComparison.Ordinal);
        Assert.Contains($"'{setting}'", choice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_unknown_values_are_reported_in_one_line()
    {
        SimdChoice choice = SimdInfo.Choose(SimdPath.Vector128, "avx9", "neon2");

        Assert.Equal(SimdPath.Vector128, choice.Path);
        Assert.Equal(
            "FastBackprop: FASTBACKPROP_SIMD='avx9' is not one of scalar, vector128, vector256, vector512; "
            + "AppContext setting FastBackprop.Simd='neon2' is not one of scalar, vector128, vector256, vector512; ignored, running Vector128.",
            choice.Error);
    }

    [Fact]
    public void This_process_reports_its_configuration_as_chosen()
    {
        SimdChoice expected = SimdInfo.Choose(
            SimdInfo.HardwarePath, Environment.GetEnvironmentVariable(SimdInfo.EnvironmentVariable), AppContext.GetData(SimdInfo.AppContextSetting));

        Assert.Equal(expected, new SimdChoice(SimdInfo.ActivePath, SimdInfo.RequestedPath, SimdInfo.ConfigurationError));
    }
}
