using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastBackprop.Benchmarks;

/// <summary>
/// One core's float FMA peak at 512 and at 256 bits, each measured once in the host process: independent FMA chains
/// (24 zmm, 12 ymm: more than latency × the FMA pipes), no memory traffic; the best of 20 runs of 4·10⁶ iterations
/// (≈ 10 ms, long enough that the clock reaches its sustained frequency and the timer's resolution does not count).
/// The two are measured apart because their ratio is the core's: a Zen 4 issues one 512-bit FMA per cycle as two
/// 256-bit halves, so its 256-bit peak equals its 512-bit one; a Zen 5 or an Intel core with two 512-bit units gets
/// half at 256 bits. 128 bits is taken as half the 256-bit peak (two FMA pipes of at least 256 bits on every x86
/// core this runs on), double as half of float.
/// </summary>
/// <remarks>
/// Runs of 2·10⁵ iterations (0.5 ms) reported ≈ 242 GFLOP/s on Zen 5, where a C loop of the same chains measures
/// 265–272: too short a run is timed partly before the core has left its idle frequency. Scaling the 512-bit peak by
/// the width made the AVX2 job read 170 % of its "peak" on a Zen 4.
/// </remarks>
internal static class FmaPeak
{
    private const int Runs = 20;
    private const int Iterations = 4_000_000;

    /// <summary>The 256-bit peak; declared first, since <see cref="Float512Gflops"/> falls back to it.</summary>
    public static double Float256Gflops { get; } = Measure(Chains256, 12 * 8);

    /// <summary>The 512-bit peak, or the 256-bit one where the hardware has no AVX-512 (a 512-bit job then runs 256 bits).</summary>
    public static double Float512Gflops { get; } = Vector512.IsHardwareAccelerated ? Measure(Chains512, 24 * 16) : Float256Gflops;

    /// <summary>The float (or, halved, double) peak of one core at a SIMD width of 512, 256 or 128 bits.</summary>
    public static double Gflops(int width, bool isDouble) =>
        (width switch { 512 => Float512Gflops, 256 => Float256Gflops, _ => Float256Gflops / 2 }) / (isDouble ? 2 : 1);

    private static double Measure(Func<int, float> chains, int lanesPerStep)
    {
        double best = 0;
        for (int run = 0; run < Runs; run++)
        {
            var clock = Stopwatch.StartNew();
            float sink = chains(Iterations);
            double seconds = clock.Elapsed.TotalSeconds;
            GC.KeepAlive(sink);
            best = Math.Max(best, 2.0 * lanesPerStep * Iterations / seconds / 1e9);
        }

        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(int iterations)
    {
        Vector512<float> x = Vector512.Create(0.999f), y = Vector512.Create(1e-7f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        Vector512<float> a12 = x, a13 = x, a14 = x, a15 = x, a16 = x, a17 = x, a18 = x, a19 = x, a20 = x, a21 = x, a22 = x, a23 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y); a2 = Vector512.FusedMultiplyAdd(a2, x, y);
            a3 = Vector512.FusedMultiplyAdd(a3, x, y); a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y); a8 = Vector512.FusedMultiplyAdd(a8, x, y);
            a9 = Vector512.FusedMultiplyAdd(a9, x, y); a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            a12 = Vector512.FusedMultiplyAdd(a12, x, y); a13 = Vector512.FusedMultiplyAdd(a13, x, y); a14 = Vector512.FusedMultiplyAdd(a14, x, y);
            a15 = Vector512.FusedMultiplyAdd(a15, x, y); a16 = Vector512.FusedMultiplyAdd(a16, x, y); a17 = Vector512.FusedMultiplyAdd(a17, x, y);
            a18 = Vector512.FusedMultiplyAdd(a18, x, y); a19 = Vector512.FusedMultiplyAdd(a19, x, y); a20 = Vector512.FusedMultiplyAdd(a20, x, y);
            a21 = Vector512.FusedMultiplyAdd(a21, x, y); a22 = Vector512.FusedMultiplyAdd(a22, x, y); a23 = Vector512.FusedMultiplyAdd(a23, x, y);
        }

        Vector512<float> sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15 + a16 + a17 + a18 + a19 + a20 + a21 + a22 + a23;
        return Vector512.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(int iterations)
    {
        Vector256<float> x = Vector256.Create(0.999f), y = Vector256.Create(1e-7f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y); a2 = Vector256.FusedMultiplyAdd(a2, x, y);
            a3 = Vector256.FusedMultiplyAdd(a3, x, y); a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y); a8 = Vector256.FusedMultiplyAdd(a8, x, y);
            a9 = Vector256.FusedMultiplyAdd(a9, x, y); a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }

        Vector256<float> sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector256.Sum(sum);
    }
}
