namespace FastBackprop;

/// <summary>
/// Which <see cref="SimdPath"/> FastBackprop's kernels run at in this process, so an app can log it.
/// </summary>
/// <remarks>
/// The path is the widest one the runtime accelerates (<c>Vector512/256/128.IsHardwareAccelerated</c>; gating on
/// those rather than on <c>Avx512F.IsSupported</c> keeps the runtime's own switches such as
/// <c>DOTNET_EnableAVX512=0</c> truthful), narrowed by the environment variable <c>FASTBACKPROP_SIMD</c>
/// (<c>scalar</c>, <c>vector128</c>, <c>vector256</c> or <c>vector512</c>) when it names a narrower one. The
/// choice is made once, when the first kernel runs, and never changes for the life of the process.
/// Under NativeAOT the accelerated widths are the ones the binary was compiled for
/// (<c>IlcInstructionSet</c>): a default AOT build on x86-64 reports <see cref="SimdPath.Vector128"/>.
/// </remarks>
public static class SimdInfo
{
    /// <summary>The environment variable that forces a narrower path.</summary>
    public const string EnvironmentVariable = "FASTBACKPROP_SIMD";

    /// <summary>The widest path this process's runtime accelerates.</summary>
    public static SimdPath HardwarePath { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : Vector128.IsHardwareAccelerated ? SimdPath.Vector128
        : SimdPath.Scalar;

    /// <summary>The path the kernels run at: <see cref="HardwarePath"/>, or the narrower one <c>FASTBACKPROP_SIMD</c> asks for.</summary>
    /// <exception cref="InvalidOperationException">Thrown (from the type initializer) when <c>FASTBACKPROP_SIMD</c> is set to an unknown name.</exception>
    public static SimdPath ActivePath { get; } = ChoosePath(HardwarePath, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Parses a <c>FASTBACKPROP_SIMD</c> value and narrows <paramref name="hardware"/> to it; a wider request keeps <paramref name="hardware"/>.</summary>
    internal static SimdPath ChoosePath(SimdPath hardware, string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return hardware;
        }

        SimdPath wanted = requested.Trim().ToLowerInvariant() switch
        {
            "scalar" => SimdPath.Scalar,
            "vector128" => SimdPath.Vector128,
            "vector256" => SimdPath.Vector256,
            "vector512" => SimdPath.Vector512,
            _ => throw new InvalidOperationException(
                $"{EnvironmentVariable}='{requested}' is not one of scalar, vector128, vector256, vector512."),
        };
        return wanted < hardware ? wanted : hardware;
    }
}
