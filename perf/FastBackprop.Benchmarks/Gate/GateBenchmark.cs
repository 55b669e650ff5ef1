namespace FastBackprop.Benchmarks.Gate;

/// <summary>A benchmark the gate tracks: its class and method, the peer method in the same class, and one parameter set.</summary>
internal sealed record GateBenchmark(string Type, string Method, string Peer, string Parameters);
