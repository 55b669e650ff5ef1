using FastBackprop.Benchmarks;

namespace FastBackprop.Perf.Tests;

/// <summary>
/// <see cref="ActivationBenchmarks"/> runs every entry of the library's registry against its scalar peer: each entry
/// needs a loop in <see cref="ScalarActivations"/> that computes the same function as the library.
/// </summary>
public class ScalarActivationsTests
{
    public static IEnumerable<object[]> Kinds => ActivationInfo.All.Select(i => new object[] { i.Kind });

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_registry_activation_is_benchmarked_against_a_scalar_peer_that_agrees_with_the_library(ActivationKind kind)
    {
        const float Alpha = 0.1f;
        var activation = new Activation(kind, Alpha);
        var random = new Random(3);
        float[] x = [.. Enumerable.Range(0, 256).Select(_ => (float)((random.NextDouble() * 20) - 10))];
        float[] dy = [.. Enumerable.Range(0, 256).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] peer = new float[x.Length], library = new float[x.Length];

        Assert.Contains(kind, ActivationBenchmarks.Kinds);
        ScalarActivations.Forward(kind, Alpha, x, peer);
        Activations.Forward<float>(activation, x, library);
        AssertClose(kind, "forward", x, peer, library);

        ScalarActivations.Backward(kind, Alpha, x, dy, peer);
        Activations.Backward<float>(activation, x, dy, library);
        AssertClose(kind, "backward", x, peer, library);
    }

    /// <summary>
    /// The peers use the runtime's float Exp/Tanh/Log and, for exact GELU, an erf to 1.5e−7 (Abramowitz and Stegun
    /// 7.1.26): agreement to 1e−5 of the value's scale says they compute the same function, not how well.
    /// </summary>
    private static void AssertClose(ActivationKind kind, string direction, float[] x, float[] peer, float[] library)
    {
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(
                Math.Abs(peer[i] - library[i]) <= 1e-5 * (1 + Math.Abs(library[i])),
                $"{kind} {direction} at x = {x[i]:R}: scalar peer {peer[i]:R}, library {library[i]:R}");
        }
    }
}
