namespace FastBackprop.Simd;

/// <summary>
/// A kernel written once over the types of a SIMD path: <see cref="PathTable.Run"/> calls it with the active row's
/// vector arithmetic and GEMM microkernel, and it keeps whatever it computes (a sum, a loss) in its own fields.
/// </summary>
/// <remarks>
/// Implementations are structs (often ref structs holding the call's refs), so the JIT specialises
/// <see cref="Run"/> per path and folds the table's ladder to the one row that runs.
/// </remarks>
internal interface IPathKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    void Run<TOps, TVec, TMicrokernel>()
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where TMicrokernel : struct, IGemmMicrokernel<T>;
}

/// <summary>How a path computes the exp family (exp, sigmoid, tanh and what is built on them).</summary>
internal enum ExpAlgorithm
{
    /// <summary>Cody–Waite reduction by ln 2 and a polynomial for eʳ (<see cref="VectorMath.ReduceForExp"/>).</summary>
    CodyWaitePolynomial,

    /// <summary>Reduction by ln 2 / 16, the sixteen 2^(j/16) in one register looked up with a permute, a shorter polynomial.</summary>
    SixteenthsTable,
}

/// <summary>
/// What one SIMD path is, in one place (BLIS keeps this in a context per architecture): its width, whether its
/// multiply-add rounds once, its exp algorithm per element type, its GEMM microkernel and cache blocks, and whether
/// short rows run four at a time. The types behind the row (vector ops, microkernel) are in <see cref="PathTable.Run"/>.
/// </summary>
/// <param name="Name">The row's name for <see cref="SimdInfo.EnvironmentVariable"/> (which forces it).</param>
/// <param name="Path">The width this row runs at.</param>
/// <param name="VectorBytes">Bytes per vector; the scalar path holds one element.</param>
/// <param name="MultiplyAddIsFused">
/// Whether <see cref="IVectorOps{TVec, T}.MultiplyAdd"/> rounds once. The <c>-nofma</c> rows compute a multiply and an
/// add, as x86 without FMA does, and run wherever FMA is missing or they are asked for.
/// </param>
/// <param name="FloatExp">The exp algorithm for float.</param>
/// <param name="DoubleExp">The exp algorithm for double.</param>
/// <param name="MicrokernelRows">MR of the packed GEMM microkernel.</param>
/// <param name="MicrokernelVectors">NR of the packed GEMM microkernel, in vectors.</param>
/// <param name="GemmBlocks">KC, MC, NC and the GEMM strategy thresholds, with their reasons in Gemm.Blocking.cs.</param>
/// <param name="ShortRowsByFour">
/// Whether row-wise kernels run rows of at most one vector four at a time (<see cref="FourRowDriver"/>): only where a
/// vector holds sixteen floats, so four rows of up to four columns, or one row of up to sixteen, share one exp.
/// </param>
internal readonly record struct SimdPathRow(
    string Name,
    SimdPath Path,
    int VectorBytes,
    bool MultiplyAddIsFused,
    ExpAlgorithm FloatExp,
    ExpAlgorithm DoubleExp,
    int MicrokernelRows,
    int MicrokernelVectors,
    GemmBlockSizes GemmBlocks,
    bool ShortRowsByFour)
{
    /// <summary>Elements of <typeparamref name="T"/> per vector.</summary>
    public int Lanes<T>()
        where T : unmanaged => Path == SimdPath.Scalar ? 1 : VectorBytes / Unsafe.SizeOf<T>();
}

/// <summary>
/// The SIMD path table and its one dispatch ladder. Every driver (element-wise, row-wise, losses, parameter updates,
/// GEMM) reaches the path's types through <see cref="Run"/> or <see cref="RunFitting"/> and its figures through
/// <see cref="Active"/>; nothing else branches on the path.
/// </summary>
/// <remarks>
/// The ladder reads <see cref="Dispatch"/>'s static readonly flags, which tier-1 code folds, so each call site
/// compiles to the one row that runs. Adding a path is a row here, its vector ops type and (if it has its own) its
/// microkernel.
/// </remarks>
internal static class PathTable
{
    public static readonly SimdPathRow Vector512 = new(
        "vector512", SimdPath.Vector512, 64, MultiplyAddIsFused: true,
        FloatExp: ExpAlgorithmOf<Vector512Ops<float>, Vector512<float>, float>(),
        DoubleExp: ExpAlgorithmOf<Vector512Ops<double>, Vector512<double>, double>(),
        MicrokernelRows: 6, MicrokernelVectors: 4, Gemm.Vector512Blocks, ShortRowsByFour: true);

    public static readonly SimdPathRow Vector256 = new(
        "vector256", SimdPath.Vector256, 32, MultiplyAddIsFused: true,
        FloatExp: ExpAlgorithmOf<Vector256Ops<float>, Vector256<float>, float>(),
        DoubleExp: ExpAlgorithmOf<Vector256Ops<double>, Vector256<double>, double>(),
        MicrokernelRows: 6, MicrokernelVectors: 2, Gemm.Vector256Blocks, ShortRowsByFour: false);

    public static readonly SimdPathRow Vector128 = new(
        "vector128", SimdPath.Vector128, 16, MultiplyAddIsFused: true,
        FloatExp: ExpAlgorithmOf<Vector128Ops<float>, Vector128<float>, float>(),
        DoubleExp: ExpAlgorithmOf<Vector128Ops<double>, Vector128<double>, double>(),
        MicrokernelRows: 6, MicrokernelVectors: 2, Gemm.Vector128Blocks, ShortRowsByFour: false);

    public static readonly SimdPathRow Vector128NoFma = Vector128 with { Name = "vector128-nofma", MultiplyAddIsFused = false };

    public static readonly SimdPathRow Scalar = new(
        "scalar", SimdPath.Scalar, 0, MultiplyAddIsFused: true,
        FloatExp: ExpAlgorithmOf<ScalarOps<float>, float, float>(),
        DoubleExp: ExpAlgorithmOf<ScalarOps<double>, double, double>(),
        MicrokernelRows: 6, MicrokernelVectors: 2, Gemm.ScalarBlocks, ShortRowsByFour: false);

    public static readonly SimdPathRow ScalarNoFma = Scalar with { Name = "scalar-nofma", MultiplyAddIsFused = false };

    /// <summary>The rows, narrowest first.</summary>
    public static IReadOnlyList<SimdPathRow> Rows { get; } = [ScalarNoFma, Scalar, Vector128NoFma, Vector128, Vector256, Vector512];

    /// <summary>
    /// The row that runs: <see cref="SimdInfo.ActivePath"/> and <see cref="SimdInfo.MultiplyAddIsFused"/>. By reference:
    /// returned by value, each use copied the whole row (80 bytes), and a batch-1 GEMM call reads it four times.
    /// </summary>
    public static ref readonly SimdPathRow Active =>
        ref Dispatch.Use512 ? ref Vector512
        : ref Dispatch.Use256 ? ref Vector256
        : ref Dispatch.Use128 ? ref (Dispatch.Fused ? ref Vector128 : ref Vector128NoFma)
        : ref Dispatch.Fused ? ref Scalar : ref ScalarNoFma;

    /// <summary>Runs <paramref name="kernel"/> with the active path's vector ops and microkernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel, T>(ref TKernel kernel)
        where TKernel : IPathKernel<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        RunFitting<TKernel, T>(ref kernel, nuint.MaxValue);

    /// <summary>
    /// Runs <paramref name="kernel"/> at the widest width of the active path or below it that fits
    /// <paramref name="length"/> elements in one vector (the scalar ops below a Vector128): for kernels whose result
    /// is a function of the length anyway, such as a row's reductions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RunFitting<TKernel, T>(ref TKernel kernel, nuint length)
        where TKernel : IPathKernel<T>, allows ref struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Dispatch.Use512 && length >= (nuint)Vector512<T>.Count)
        {
            kernel.Run<Vector512Ops<T>, Vector512<T>, GemmMicrokernel6x4V<Vector512<T>, T, Vector512Ops<T>>>();
        }
        else if (Dispatch.Use256 && length >= (nuint)Vector256<T>.Count)
        {
            kernel.Run<Vector256Ops<T>, Vector256<T>, GemmMicrokernel6x2V<Vector256<T>, T, Vector256Ops<T>>>();
        }
        else if (Dispatch.Use128 && length >= (nuint)Vector128<T>.Count)
        {
            kernel.Run<Vector128Ops<T>, Vector128<T>, GemmMicrokernel6x2V<Vector128<T>, T, Vector128Ops<T>>>();
        }
        else
        {
            kernel.Run<ScalarOps<T>, T, GemmMicrokernel6x2V<T, T, ScalarOps<T>>>();
        }
    }

    /// <summary>The exp algorithm a width's math selects, by the one capability it rests on.</summary>
    public static ExpAlgorithm ExpAlgorithmOf<TOps, TVec, T>()
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        VectorMath.UsesSixteenthsTable<TOps, TVec, T>() ? ExpAlgorithm.SixteenthsTable : ExpAlgorithm.CodyWaitePolynomial;
}
