using System.Runtime.InteropServices;

using FastBackprop.Simd;

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

        if (Environment.GetEnvironmentVariable(SimdInfo.EnvironmentVariable)?.Trim().EndsWith("-nofma", StringComparison.OrdinalIgnoreCase) == true)
        {
            Assert.False(SimdInfo.MultiplyAddIsFused);
            Assert.False(PathTable.Active.MultiplyAddIsFused);
        }
    }

    [Theory]
    [InlineData("vector128-nofma", SimdPath.Vector128)]
    [InlineData(" Scalar-NoFMA ", SimdPath.Scalar)]
    public void A_nofma_name_forces_its_width_with_multiply_add_unfused(string requested, SimdPath expected)
    {
        SimdChoice choice = SimdInfo.Choose(SimdPath.Vector512, requested, null);

        Assert.Equal(expected, choice.Path);
        Assert.True(choice.Unfused);
        Assert.Null(choice.Error);
        Assert.False(SimdInfo.Choose(SimdPath.Vector512, "vector128", null).Unfused);
    }

    [Fact]
    public void Every_row_of_the_path_table_is_forced_by_its_name()
    {
        foreach (SimdPathRow row in PathTable.Rows)
        {
            SimdChoice choice = SimdInfo.Choose(SimdPath.Vector512, row.Name, null);
            Assert.Equal((row.Path, !row.MultiplyAddIsFused, (string?)null), (choice.Path, choice.Unfused, choice.Error));
        }

        Assert.NotNull(SimdInfo.Choose(SimdPath.Vector512, "vector256-nofma", null).Error);
    }

    [Fact]
    public void Path_names_are_the_path_tables_rows_narrowest_first()
    {
        Assert.Equal(["scalar-nofma", "scalar", "vector128-nofma", "vector128", "vector256", "vector512"], SimdInfo.PathNames);
        Assert.Equal(PathTable.Rows.Select(row => row.Name), SimdInfo.PathNames);
    }

    /// <summary>The name a process reports is one that forces the row it runs, and one this hardware runs as named.</summary>
    [Fact]
    public void The_active_path_name_forces_the_active_row()
    {
        SimdChoice choice = SimdInfo.Choose(SimdInfo.HardwarePath, SimdInfo.ActivePathName, null);

        Assert.Equal(PathTable.Active.Name, SimdInfo.ActivePathName);
        Assert.Equal((SimdInfo.ActivePath, !SimdInfo.MultiplyAddIsFused, (string?)null), (choice.Path, choice.Unfused, choice.Error));
        Assert.Contains(SimdInfo.ActivePathName, SimdInfo.SupportedPathNames);
        if (Environment.GetEnvironmentVariable(SimdInfo.EnvironmentVariable)?.Trim().ToLowerInvariant() is { } forced
            && SimdInfo.SupportedPathNames.Contains(forced))
        {
            Assert.Equal(forced, SimdInfo.ActivePathName);
        }
    }

    [Theory]
    [InlineData(SimdPath.Vector512, true, "scalar-nofma scalar vector128-nofma vector128 vector256 vector512")]
    [InlineData(SimdPath.Vector256, true, "scalar-nofma scalar vector128-nofma vector128 vector256")]
    [InlineData(SimdPath.Vector128, true, "scalar-nofma scalar vector128-nofma vector128")]
    [InlineData(SimdPath.Scalar, true, "scalar-nofma scalar")]
    [InlineData(SimdPath.Vector128, false, "scalar-nofma vector128-nofma")]
    [InlineData(SimdPath.Scalar, false, "scalar-nofma")]
    public void Supported_names_are_no_wider_than_the_hardware_and_fused_only_where_it_fuses(SimdPath hardware, bool fuses, string expected)
    {
        Assert.Equal(expected.Split(' '), SimdInfo.Supported(hardware, fuses));
    }

    [Fact]
    public void This_process_supports_the_names_its_hardware_runs()
    {
        bool fuses = System.Runtime.Intrinsics.X86.Fma.IsSupported || RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

        Assert.Equal(SimdInfo.Supported(SimdInfo.HardwarePath, fuses), SimdInfo.SupportedPathNames);
    }

    /// <summary>The row's tile figures (thread split granules, scratch sizes) must be those of the types the ladder runs.</summary>
    [Fact]
    public void The_active_rows_microkernel_and_width_are_those_the_ladder_runs()
    {
        var probe = new TileProbe<float>();
        PathTable.Run<TileProbe<float>, float>(ref probe);
        var doubleProbe = new TileProbe<double>();
        PathTable.Run<TileProbe<double>, double>(ref doubleProbe);
        SimdPathRow row = PathTable.Active;

        Assert.Equal((row.MicrokernelRows, row.MicrokernelVectors * row.Lanes<float>(), row.Lanes<float>()), probe.Seen);
        Assert.Equal((row.MicrokernelRows, row.MicrokernelVectors * row.Lanes<double>(), row.Lanes<double>()), doubleProbe.Seen);
    }

    [Fact]
    public void The_active_row_is_the_path_and_fma_that_run()
    {
        Assert.Equal((SimdInfo.ActivePath, SimdInfo.MultiplyAddIsFused), (PathTable.Active.Path, PathTable.Active.MultiplyAddIsFused));
        int floatLanes = SimdInfo.ActivePath switch
        {
            SimdPath.Vector512 => Vector512<float>.Count,
            SimdPath.Vector256 => Vector256<float>.Count,
            SimdPath.Vector128 => Vector128<float>.Count,
            _ => 1,
        };
        Assert.Equal(floatLanes, PathTable.Active.Lanes<float>());
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
            "FastBackprop: FASTBACKPROP_SIMD='avx9' is not one of scalar, scalar-nofma, vector128, vector128-nofma, vector256, vector512; ignored, running Vector256.",
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
            "FastBackprop: FASTBACKPROP_SIMD='avx9' is not one of scalar, scalar-nofma, vector128, vector128-nofma, vector256, vector512; "
            + "AppContext setting FastBackprop.Simd='neon2' is not one of scalar, scalar-nofma, vector128, vector128-nofma, vector256, vector512; ignored, running Vector128.",
            choice.Error);
    }

    [Fact]
    public void This_process_reports_its_configuration_as_chosen()
    {
        SimdChoice expected = SimdInfo.Choose(
            SimdInfo.HardwarePath, Environment.GetEnvironmentVariable(SimdInfo.EnvironmentVariable), AppContext.GetData(SimdInfo.AppContextSetting));

        Assert.Equal(
            expected with { Unfused = false },
            new SimdChoice(SimdInfo.ActivePath, SimdInfo.RequestedPath, SimdInfo.ConfigurationError));
        if (expected.Unfused)
        {
            Assert.False(SimdInfo.MultiplyAddIsFused);
        }
    }

    private struct TileProbe<T> : IPathKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public (int MR, int NR, int Lanes) Seen { get; private set; }

        public void Run<TOps, TVec, TMicrokernel>()
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
            where TMicrokernel : struct, IGemmMicrokernel<T> =>
            Seen = (TMicrokernel.MR, TMicrokernel.NR, TOps.Count);
    }
}
