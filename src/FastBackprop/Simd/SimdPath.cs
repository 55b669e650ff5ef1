namespace FastBackprop;

/// <summary>The instruction-set width a kernel runs at. Wider is faster; every path computes the same math.</summary>
public enum SimdPath
{
    /// <summary>One element at a time, no hardware intrinsics.</summary>
    Scalar,

    /// <summary>128-bit vectors: SSE4.2 on x86-64, NEON (AdvSimd) on Arm64.</summary>
    Vector128,

    /// <summary>256-bit vectors: AVX2 with FMA on x86-64.</summary>
    Vector256,

    /// <summary>512-bit vectors: AVX-512 on x86-64.</summary>
    Vector512,
}
