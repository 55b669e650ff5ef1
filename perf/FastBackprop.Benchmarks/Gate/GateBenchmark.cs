namespace FastBackprop.Benchmarks.Gate;

/// <summary>A benchmark the gate tracks: its class and method, the peer method in the same class, and one parameter set.</summary>
/// <param name="Parameters">BenchmarkDotNet's parameter text, <c>Name=Value</c> joined by <c>&amp;</c>, in any order.</param>
internal sealed record GateBenchmark(string Type, string Method, string Peer, string Parameters)
{
    /// <summary>Whether BenchmarkDotNet's parameter text names this benchmark's parameter set, whatever the order.</summary>
    public bool HasParameters(string parameters) => Normalize(parameters) == Normalize(Parameters);

    /// <summary>BenchmarkDotNet orders a case's parameters by its own rules (not declaration order); compare them as a set.</summary>
    private static string Normalize(string parameters) =>
        string.Join('&', parameters.Split('&', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
}
