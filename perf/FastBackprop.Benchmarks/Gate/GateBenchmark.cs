namespace FastBackprop.Benchmarks.Gate;

/// <summary>A benchmark the gate tracks: its class and method, the peer method in the same class, and one parameter set.</summary>
/// <param name="Parameters">BenchmarkDotNet's parameter text, <c>Name=Value</c> joined by <c>&amp;</c>, in any order.</param>
/// <param name="PeerMissing">
/// Why the peer cannot run on this machine (an optional native library, such as oneDNN, is not installed), or null
/// when it can. The gate does not run such an entry and reports it as <see cref="Verdict.Skipped"/>, which passes,
/// where a peer that fails to run is <see cref="Verdict.Missing"/>, which fails.
/// </param>
internal sealed record GateBenchmark(string Type, string Method, string Peer, string Parameters, string? PeerMissing = null)
{
    /// <summary>Whether BenchmarkDotNet's parameter text names this benchmark's parameter set, whatever the order.</summary>
    public bool HasParameters(string parameters) => Normalize(parameters) == Normalize(Parameters);

    /// <summary>Whether an entry of a result is this benchmark's (any path).</summary>
    public bool Matches(string type, string method, string peer, string parameters) =>
        type == Type && method == Method && peer == Peer && HasParameters(parameters);

    /// <summary>BenchmarkDotNet orders a case's parameters by its own rules (not declaration order); compare them as a set.</summary>
    private static string Normalize(string parameters) =>
        string.Join('&', parameters.Split('&', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
}
