namespace FastBackprop;

/// <summary>
/// Cache blocking of the packed GEMM for one SIMD path. Sizes count k steps and register tiles, so one row serves
/// float and double: a k step of a B micro-panel is NR·sizeof(T) bytes, the same for both (NR halves for double).
/// </summary>
/// <param name="KC">Depth of a packed block: k steps per pass over C.</param>
/// <param name="MCTiles">Rows of a packed A block, in MR-row micro-panels.</param>
/// <param name="NCTiles">Columns of a packed B panel, in NR-column micro-panels.</param>
/// <param name="DirectMaxWork">Largest m·n·k that takes the unpacked path (when op(B) is not transposed).</param>
/// <param name="ParallelMinWork">Smallest m·n·k worth waking a second thread for.</param>
internal readonly record struct GemmBlockSizes(int KC, int MCTiles, int NCTiles, long DirectMaxWork, long ParallelMinWork);

/// <summary>The block-size table: one row per path. Microkernel tiles (MR × NR) are the kernels' own constants.</summary>
public static partial class Gemm
{
    // Loops (Gemm.Packed.cs): NC columns → KC k steps (pack B) → MC rows (pack A) → NR columns → MR rows → kernel.
    // A B micro-panel (KC × NR) stays in L1 while the kernel runs down the A block; the A block (MC × KC) stays in
    // L2 while the kernel runs across the B panel; the B panel (KC × NC) lives in L3. Sizes measured on a Zen 5
    // EPYC (48 KiB L1d, 1 MiB L2 per core, 32 MiB L3) with GemmBenchmarks; the reasons are the budgets below.
    //
    // Path       kernel            KC   MC tiles (rows)  NC tiles (f32 cols)
    // Vector512  6×4V = 6×64 f32   128  64 (384)         64 (4096)
    //   KC: B micro-panel 128 × 256 B = 32 KiB of the 48 KiB L1, leaving room for A's 3 KiB and C's lines;
    //   KC = 192 (48 KiB) and 256 were slower at 1024³. MC: A block 384 × 128 × 4 B = 192 KiB (f64 384 KiB) in
    //   the 1 MiB L2. NC: B panel 2 MiB in L3; wide so A is packed once per k block for n ≤ 4096 (A repacked
    //   per NC panel cost 2–3× at 1024³ with an L2-sized NC).
    // Vector256  6×2V = 6×16 f32   256  32 (192)         256 (4096)
    //   B micro-panel 256 × 64 B = 16 KiB in L1; A block 192 KiB in L2; B panel 4 MiB in L3.
    // Vector128  6×2V = 6×8 f32    256  32 (192)         512 (4096)
    // Scalar     6×2V = 6×2        256  32 (192)         2048 (4096)
    //   Narrow paths are compute-bound long before the caches matter; the same budgets as Vector256.
    // DirectMaxWork: the unpacked 8×1V kernel wins below ≈ 2¹⁸ m·n·k and packing above (GemmCrossoverBenchmarks,
    //   AVX-512 f32: unpacked/packed time 0.31 at 64×256×10, 0.43 at 1×2×500, 1.12 at 32×128×128, 1.3–1.5 from
    //   64×128×256 up). Narrower than one packed tile (n < NR) it stays unpacked at any size: a padded tile would
    //   waste more than the 8×1V kernel loses. With op(B) = Bᵀ the unpacked path transposes B first, which the
    //   packed path's B pack costs too: NT (m×k×n) 64×2×500 4.1 → 3.3 µs, 1×2×500 0.81 → 0.34, 32×10×128
    //   1.39 → 1.22, 1×64×128 1.93 → 1.50, 64×64×64 6.0 → 5.1 (Zen 4, Stopwatch).
    // ParallelMinWork: below 2¹⁸ m·n·k (≈ 3 µs of work) waking a worker costs about as much as it saves.
    internal static readonly GemmBlockSizes Vector512Blocks = new(KC: 128, MCTiles: 64, NCTiles: 64, DirectMaxWork: 1L << 18, ParallelMinWork: 1L << 18);
    internal static readonly GemmBlockSizes Vector256Blocks = new(KC: 256, MCTiles: 32, NCTiles: 256, DirectMaxWork: 1L << 18, ParallelMinWork: 1L << 18);
    internal static readonly GemmBlockSizes Vector128Blocks = new(KC: 256, MCTiles: 32, NCTiles: 512, DirectMaxWork: 1L << 18, ParallelMinWork: 1L << 18);
    internal static readonly GemmBlockSizes ScalarBlocks = new(KC: 256, MCTiles: 32, NCTiles: 2048, DirectMaxWork: 1L << 18, ParallelMinWork: 1L << 18);

    /// <summary>
    /// The k-order of every kernel on a path (narrow, unpacked and packed alike): k splits into <c>Count</c> blocks,
    /// balanced at <c>Depth = ⌈k / ⌈k / KC⌉⌉</c> steps (the last one shorter), so no block is a sliver. Each element
    /// of C is one fused multiply-add chain per block, over p in order from 0, folded into C block by block as
    /// <c>c = acc·α + β·c</c> (β for the first block, 1 after). Since it depends on k and the path's KC only, a row of C
    /// has the same bits whatever m selects the kernel and however the rows are split between threads: the batch
    /// invariance the trainer's and the inference model's row-independence rests on.
    /// </summary>
    internal static (int Count, int Depth) KBlocking(int k, GemmBlockSizes blocks)
    {
        int count = (k + blocks.KC - 1) / blocks.KC;
        return (count, (k + count - 1) / count);
    }
}
