// The independent check of FmaPeak.cs: the same 24 independent zmm FMA chains and 12 ymm chains in C, best of 20
// runs of 4e6 iterations each. Build and run: gcc -O2 -o /tmp/fma-peak perf/fma-peak.c && /tmp/fma-peak
// Each width is compiled for its own instruction set and runs only where the CPU has it (a Zen 3 has no AVX-512).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define CHAINS 24
#define ITERATIONS 4000000L
#define RUNS 20

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((target("avx512f,fma"))) static double peak512(float *sink) {
    const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-7f);
    double best = 0;
    for (int run = 0; run < RUNS; run++) {
        __m512 a[CHAINS];
        for (int c = 0; c < CHAINS; c++) a[c] = x;
        double start = seconds();
        for (long i = 0; i < ITERATIONS; i++) {
            // Unrolled, so that the 24 chains live in registers, not in the array.
#pragma GCC unroll 24
            for (int c = 0; c < CHAINS; c++) a[c] = _mm512_fmadd_ps(a[c], x, y);
        }
        double elapsed = seconds() - start;
        __m512 sum = a[0];
        for (int c = 1; c < CHAINS; c++) sum = _mm512_add_ps(sum, a[c]);
        *sink += _mm512_reduce_add_ps(sum);
        double gflops = 2.0 * 16 * CHAINS * ITERATIONS / elapsed / 1e9;
        if (gflops > best) best = gflops;
    }
    return best;
}

// 12 chains: 16 ymm registers without AVX-512's extra ones, and still more than 4-cycle latency × 2 FMA pipes.
__attribute__((target("avx2,fma"))) static double peak256(float *sink) {
    const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
    double best = 0;
    for (int run = 0; run < RUNS; run++) {
        __m256 a[CHAINS / 2];
        for (int c = 0; c < CHAINS / 2; c++) a[c] = x;
        double start = seconds();
        for (long i = 0; i < ITERATIONS; i++) {
#pragma GCC unroll 12
            for (int c = 0; c < CHAINS / 2; c++) a[c] = _mm256_fmadd_ps(a[c], x, y);
        }
        double elapsed = seconds() - start;
        __m256 sum = a[0];
        for (int c = 1; c < CHAINS / 2; c++) sum = _mm256_add_ps(sum, a[c]);
        float lanes[8];
        _mm256_storeu_ps(lanes, sum);
        for (int l = 0; l < 8; l++) *sink += lanes[l];
        double gflops = 2.0 * 8 * (CHAINS / 2) * ITERATIONS / elapsed / 1e9;
        if (gflops > best) best = gflops;
    }
    return best;
}

int main(void) {
    float sink = 0;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        printf("this CPU has no AVX2 with FMA\n");
        return 1;
    }
    double p256 = peak256(&sink);
    if (__builtin_cpu_supports("avx512f")) {
        double p512 = peak512(&sink);
        printf("float FMA peak, one core (C): 512-bit %.1f GFLOP/s, 256-bit %.1f GFLOP/s (sink %g)\n", p512, p256, sink);
    } else {
        printf("float FMA peak, one core (C): no AVX-512, 256-bit %.1f GFLOP/s (sink %g)\n", p256, sink);
    }
    return 0;
}
