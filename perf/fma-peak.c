// The independent check of FmaPeak.cs: the same 24 independent zmm FMA chains in C, best of 20 runs of 4e6
// iterations. Build and run: gcc -O2 -mavx512f -o /tmp/fma-peak perf/fma-peak.c && /tmp/fma-peak
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

int main(void) {
    const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-7f);
    double best = 0;
    float sink = 0;
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
        sink += _mm512_reduce_add_ps(sum);
        double gflops = 2.0 * 16 * CHAINS * ITERATIONS / elapsed / 1e9;
        if (gflops > best) best = gflops;
    }
    printf("float FMA peak, one core, 512-bit (C): %.1f GFLOP/s (sink %g)\n", best, sink);
    return 0;
}
