using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// Which <see cref="SimdPath"/> FastBackprop's kernels run at in this process, so an app can log it.
/// </summary>
/// <remarks>
/// <para>The path is the widest one the runtime accelerates (<c>Vector512/256/128.IsHardwareAccelerated</c>; gating
/// on those rather than on <c>Avx512F.IsSupported</c> keeps the runtime's own switches such as
/// <c>DOTNET_EnableAVX512=0</c> truthful), narrowed when the configuration names a narrower one (<c>scalar</c>,
/// <c>vector128</c>, <c>vector256</c> or <c>vector512</c>, any case, blanks around it ignored). <c>scalar-nofma</c> and
/// <c>vector128-nofma</c> name those paths with every multiply-add computed as a multiply and an add, each rounded
/// (<see cref="MultiplyAddIsFused"/> false), as on x86 without FMA: so that CPUs that fuse can test what CPUs without
/// it compute. Two places may
/// name it: the environment variable <c>FASTBACKPROP_SIMD</c>, for whoever starts the process, and the AppContext
/// setting <c>FastBackprop.Simd</c>, for the app — in its project file as
/// <c>&lt;RuntimeHostConfigurationOption Include="FastBackprop.Simd" Value="vector256" /&gt;</c> (written to
/// runtimeconfig.json) or by <c>AppContext.SetData("FastBackprop.Simd", "vector256")</c> before the first kernel
/// runs. The variable wins when both are set, as <c>DOTNET_*</c> variables win over runtimeconfig.json.</para>
/// <para>A value that names no path never stops the process: it is ignored (as if unset, so the other place or the
/// hardware decides), <see cref="ConfigurationError"/> says so, and the same text is written once, as one line, to
/// standard error. The choice is made once, when the first kernel runs, and never changes for the life of the
/// process. Under NativeAOT the accelerated widths are the ones the binary was compiled for
/// (<c>IlcInstructionSet</c>) and the runtime's <c>DOTNET_Enable*</c> switches do nothing, so the variable and the
/// setting are the only ways to narrow: a default AOT build on x86-64 reports <see cref="SimdPath.Vector128"/>.</para>
/// </remarks>
public static class SimdInfo
{
    /// <summary>The environment variable that forces a narrower path; it wins over <see cref="AppContextSetting"/>.</summary>
    public const string EnvironmentVariable = "FASTBACKPROP_SIMD";

    /// <summary>
    /// The AppContext setting (runtimeconfig.json <c>configProperties</c>, or <c>AppContext.SetData</c>) that forces a
    /// narrower path: a path's name as a string, or a <see cref="SimdPath"/> value.
    /// </summary>
    public const string AppContextSetting = "FastBackprop.Simd";

    private const string Names = "scalar, scalar-nofma, vector128, vector128-nofma, vector256, vector512";

    /// <summary>The widest path this process's runtime accelerates.</summary>
    public static SimdPath HardwarePath { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : Vector128.IsHardwareAccelerated ? SimdPath.Vector128
        : SimdPath.Scalar;

    private static readonly SimdChoice Choice = Configure();

    /// <summary>The path the kernels run at: <see cref="HardwarePath"/>, or the narrower <see cref="RequestedPath"/>.</summary>
    public static SimdPath ActivePath { get; } = Choice.Path;

    /// <summary>
    /// The path the configuration asks for (<see cref="EnvironmentVariable"/>, else <see cref="AppContextSetting"/>),
    /// or null when neither names one. A request wider than <see cref="HardwarePath"/> is kept here but not run.
    /// </summary>
    public static SimdPath? RequestedPath => Choice.Requested;

    /// <summary>
    /// Whether the kernels' multiply-add rounds once: where the hardware fuses (x86 with FMA, every Arm64) and the
    /// configuration did not ask for a <c>-nofma</c> path. Results on a path differ by this only, and only in the last
    /// bits of what multiply-adds compute.
    /// </summary>
    public static bool MultiplyAddIsFused { get; } = HardwareFuses && !Choice.Unfused;

    // The names below read the path table when asked, never in a static initializer: the table's Dispatch reads this
    // class's fields during its own initialization.

    /// <summary>
    /// The name of the path-table row the kernels run, as <see cref="EnvironmentVariable"/> takes it:
    /// <see cref="ActivePath"/> in lower case, with <c>-nofma</c> where <see cref="MultiplyAddIsFused"/> is false (for
    /// example <c>vector128-nofma</c>, asked for or on x86 without FMA).
    /// </summary>
    public static string ActivePathName => PathTable.Active.Name;

    /// <summary>
    /// Every path-table row's name, narrowest first: <c>scalar-nofma</c>, <c>scalar</c>, <c>vector128-nofma</c>,
    /// <c>vector128</c>, <c>vector256</c>, <c>vector512</c>.
    /// </summary>
    public static IReadOnlyList<string> PathNames => field ??= [.. PathTable.Rows.Select(row => row.Name)];

    /// <summary>
    /// The names of <see cref="PathNames"/> that run as named on this hardware, narrowest first, so that a process
    /// started with one of them in <see cref="EnvironmentVariable"/> reports it as <see cref="ActivePathName"/>: none
    /// wider than <see cref="HardwarePath"/>, and the fused <c>scalar</c> and <c>vector128</c> only where the hardware
    /// fuses multiply-add (x86 with FMA, every Arm64); without FMA, asking for one runs its <c>-nofma</c> row.
    /// </summary>
    public static IReadOnlyList<string> SupportedPathNames => field ??= Supported(HardwarePath, HardwareFuses);

    /// <summary>Whether this CPU's multiply-add rounds once, whatever the configuration asks for.</summary>
    private static bool HardwareFuses =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>
    /// Null when every configured value named a path; otherwise one line saying which value was ignored, why, and
    /// which path runs instead (for example <c>FastBackprop: FASTBACKPROP_SIMD='avx9' is not one of scalar,
    /// vector128, vector256, vector512; ignored, running Vector512.</c>), also written once to standard error.
    /// </summary>
    public static string? ConfigurationError => Choice.Error;

    private static SimdChoice Configure()
    {
        SimdChoice choice = Choose(HardwarePath, Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.GetData(AppContextSetting));
        if (choice.Error is not null)
        {
            // Whoever set the value may not own the app, so it is told without the app's help, as OpenMP reports a
            // bad OMP_NUM_THREADS; a type initializer must not throw, since that would end the host process.
            Console.Error.WriteLine(choice.Error);
        }

        return choice;
    }

    /// <summary>
    /// Narrows <paramref name="hardware"/> to the path the variable's value, else the setting's, names; a wider
    /// request keeps <paramref name="hardware"/>, and a value that names no path is ignored and reported.
    /// </summary>
    internal static SimdChoice Choose(SimdPath hardware, string? variable, object? setting)
    {
        var errors = new List<string>(2);
        (SimdPath Path, bool Unfused)? fromVariable = string.IsNullOrWhiteSpace(variable) ? null : Parse(variable, EnvironmentVariable, errors);
        (SimdPath Path, bool Unfused)? fromSetting = setting switch
        {
            null => null,
            string text when string.IsNullOrWhiteSpace(text) => null,
            string text => Parse(text, $"AppContext setting {AppContextSetting}", errors),
            SimdPath path when Enum.IsDefined(path) => (path, false),
            _ => Unknown(errors, $"AppContext setting {AppContextSetting} is {setting.GetType().Name} '{setting}', not a path name or a defined {nameof(SimdPath)}"),
        };
        (SimdPath Path, bool Unfused)? requested = fromVariable ?? fromSetting;
        SimdPath active = requested?.Path < hardware ? requested.Value.Path : hardware;
        string? error = errors.Count == 0 ? null : $"FastBackprop: {string.Join("; ", errors)}; ignored, running {active}.";
        return new SimdChoice(active, requested?.Path, error, requested?.Unfused ?? false);
    }

    /// <summary>The rows no wider than <paramref name="hardware"/> whose multiply-add it computes as the row says.</summary>
    internal static IReadOnlyList<string> Supported(SimdPath hardware, bool hardwareFuses) =>
        [.. PathTable.Rows.Where(row => row.Path <= hardware && (hardwareFuses || !row.MultiplyAddIsFused)).Select(row => row.Name)];

    private static (SimdPath Path, bool Unfused)? Parse(string value, string source, List<string> errors) =>
        value.Trim().ToLowerInvariant() switch
        {
            "scalar" => (SimdPath.Scalar, false),
            "scalar-nofma" => (SimdPath.Scalar, true),
            "vector128" => (SimdPath.Vector128, false),
            "vector128-nofma" => (SimdPath.Vector128, true),
            "vector256" => (SimdPath.Vector256, false),
            "vector512" => (SimdPath.Vector512, false),
            _ => Unknown(errors, $"{source}='{value}' is not one of {Names}"),
        };

    private static (SimdPath Path, bool Unfused)? Unknown(List<string> errors, string error)
    {
        errors.Add(error);
        return null;
    }
}

/// <summary>
/// The outcome of reading the configuration: the path that runs, the one asked for, what was ignored, and whether a
/// <c>-nofma</c> path was asked for.
/// </summary>
internal readonly record struct SimdChoice(SimdPath Path, SimdPath? Requested, string? Error, bool Unfused = false);
