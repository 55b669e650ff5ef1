namespace FastBackprop.Benchmarks;

/// <summary>
/// The check a native GEMM peer passes before it is timed: its C equals FastBackprop's Gemm.Multiply on the same
/// shape and data, element by element, so a wrong transpose flag or leading dimension in the peer's binding fails
/// instead of timing a different product.
/// </summary>
internal static class GemmAgreement
{
    /// <summary>
    /// |peer − FastBackprop| ≤ 1e-4 · (|op(A)|·|op(B)|)ᵢⱼ. Both sum k float products in some order, so they differ by
    /// a few ulps of Σ|a||b| (about √k · 6e-8 of it); a wrong op or stride changes the result by the order of the
    /// entries themselves.
    /// </summary>
    public const float RelativeTolerance = 1e-4f;

    /// <summary>
    /// Runs <paramref name="peerMultiply"/> (C = op(A)·op(B), α = 1, β = 0, ldc = n, into a C filled with NaN, which
    /// β = 0 must overwrite) and compares it with Gemm.Multiply.
    /// </summary>
    /// <exception cref="InvalidOperationException">An element differs by more than the tolerance, naming the peer, shape and element.</exception>
    public static void Verify(string peer, GemmShape shape, float[] a, float[] b, Action<float[]> peerMultiply)
    {
        float[] expected = Multiply(shape, a, b);
        float[] bound = Multiply(shape, [.. a.Select(MathF.Abs)], [.. b.Select(MathF.Abs)]);
        float[] actual = new float[shape.M * shape.N];
        Array.Fill(actual, float.NaN);
        peerMultiply(actual);

        for (int i = 0; i < actual.Length; i++)
        {
            if (!(MathF.Abs(actual[i] - expected[i]) <= RelativeTolerance * bound[i]))
            {
                throw new InvalidOperationException(
                    $"{peer} disagrees with Gemm.Multiply on {shape}: C[{i / shape.N}, {i % shape.N}] = {actual[i]}, expected {expected[i]} " +
                    $"(tolerance {RelativeTolerance} · Σ|a||b| = {RelativeTolerance * bound[i]}).");
            }
        }
    }

    private static float[] Multiply(GemmShape shape, float[] a, float[] b)
    {
        float[] c = new float[shape.M * shape.N];
        Gemm.Multiply(shape.OpA, shape.OpB, shape.M, shape.N, shape.K, 1f, a, shape.Lda, b, shape.Ldb, 0f, c, shape.N);
        return c;
    }
}
