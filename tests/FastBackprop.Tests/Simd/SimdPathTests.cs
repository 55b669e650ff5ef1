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
    [InlineData(SimdPath.Vector512, "vector256", SimdPath.Vector256)]
    [InlineData(SimdPath.Vector512, " Vector128 ", SimdPath.Vector128)]
    [InlineData(SimdPath.Vector512, "scalar", SimdPath.Scalar)]
    [InlineData(SimdPath.Vector128, "vector512", SimdPath.Vector128)]
    [InlineData(SimdPath.Scalar, "vector256", SimdPath.Scalar)]
    public void Forcing_narrows_the_path_and_never_widens_it(SimdPath hardware, string? requested, SimdPath expected) =>
        Assert.Equal(expected, SimdInfo.ChoosePath(hardware, requested));

    [Fact]
    public void An_unknown_forced_path_is_an_error_that_names_the_variable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SimdInfo.ChoosePath(SimdPath.Vector512, "avx9"));
        Assert.Contains("FASTBACKPROP_SIMD", error.Message, StringComparison.Ordinal);
    }
}
