namespace FastBackprop.Simd;

/// <summary>
/// The active path as JIT-time constants: static readonly bools are folded by tier-1 code, so a kernel's
/// <c>if (Dispatch.Use512) … else if (Dispatch.Use256) …</c> ladder compiles to the one branch that runs.
/// </summary>
internal static class Dispatch
{
    public static readonly bool Use512 = SimdInfo.ActivePath == SimdPath.Vector512;
    public static readonly bool Use256 = SimdInfo.ActivePath >= SimdPath.Vector256;
    public static readonly bool Use128 = SimdInfo.ActivePath >= SimdPath.Vector128;

    /// <summary><see cref="SimdInfo.MultiplyAddIsFused"/>: false also where a <c>-nofma</c> path was asked for on hardware that fuses.</summary>
    public static readonly bool Fused = SimdInfo.MultiplyAddIsFused;
}
