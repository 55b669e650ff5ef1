namespace FastBackprop;

/// <summary>
/// Cache blocking of the packed GEMM for one SIMD path. Sizes count k steps and register tiles, so the same row
/// serves float and double (a tile row of B is NR·sizeof(T) = the same bytes for both: NR halves for double).
/// </summary>
/// <param name="KC">Depth of a packed block: k steps per pass over C.</param>
/// <param name="MCTiles">Rows of a packed A block, in MR-row micro-panels.</param>
/// <param name="NCTiles">Columns of a packed B block, in NR-column micro-panels.</param>
/// <param name="DirectMaxWork">Largest m·n·k that takes the unpacked path (when op(B) is not transposed).</param>
/// <param name="ParallelMinWork">Smallest m·n·k worth waking a second thread for.</param>
internal readonly record struct GemmBlockSizes(int KC, int MCTiles, int NCTiles, long DirectMaxWork, long ParallelMinWork);

/// <summary>The block-size table: one row per path. Microkernel tiles (MR × NR) are the kernels' own constants.</summary>
public static partial class Gemm
{
    // Path       kernel           KC   MC tiles  NC tiles
    // Vector512  6×4V (6×64 f32)  256  16 (96)   8 (512 f32)
    //   KC: the A micro-panel (6·KC·4 B = 6 KiB f32, 12 KiB f64) stays in L1 (48 KiB on Zen 5) while the kernel
    //   walks the B panel; a longer KC halves how often the tile of C is loaded and stored.
    //   NC: the packed B panel (KC × NC·sizeof = 512 KiB) fills half of the 1 MiB L2, read once per 6 rows of A.
    //   MC: the packed A block (96 × KC) is 96 KiB f32, re-read from L2/L3 once per NC block.
    // Vector256  6×2V (6×16 f32)  256  16 (96)   16 (256 f32)
    //   Same bytes as Vector512: the B panel is KC × 256 × 4 B = 256 KiB, the A micro-panel 6 KiB.
    // Vector128  6×2V (6×8 f32)   256  16 (96)   32 (256 f32)
    // Scalar     6×2V (6×2)       256  16 (96)   128 (256)
    //   Narrow paths: compute-bound long before the caches matter; the same byte budget as Vector256.
    // DirectMaxWork: measured crossover of the unpacked 8×1V kernel against packing (perf GemmCrossover).
    // ParallelMinWork: below ≈ 2⁻¹⁸ m·n·k waking a worker (≈ 2–5 µs) costs more than half the work.
    private static readonly GemmBlockSizes Vector512Blocks = new(KC: 256, MCTiles: 16, NCTiles: 8, DirectMaxWork: 1L << 22, ParallelMinWork: 1L << 18);
    private static readonly GemmBlockSizes Vector256Blocks = new(KC: 256, MCTiles: 16, NCTiles: 16, DirectMaxWork: 1L << 22, ParallelMinWork: 1L << 18);
    private static readonly GemmBlockSizes Vector128Blocks = new(KC: 256, MCTiles: 16, NCTiles: 32, DirectMaxWork: 1L << 22, ParallelMinWork: 1L << 18);
    private static readonly GemmBlockSizes ScalarBlocks = new(KC: 256, MCTiles: 16, NCTiles: 128, DirectMaxWork: 1L << 22, ParallelMinWork: 1L << 18);
}
