namespace FastBackprop.Benchmarks.Gate;

/// <summary>
/// One gated figure: a FastBackprop benchmark's time divided by its peer's, measured in the same run, on one
/// SIMD path, with the bytes the FastBackprop benchmark allocated per call.
/// </summary>
internal sealed record GateEntry(
    string Type, string Method, string Peer, string Parameters, string Path, double Ratio, double TimeNs, double PeerTimeNs, long AllocatedBytes)
{
    /// <summary>
    /// The key an entry is matched by between a result and the baseline: <c>Type.Method/Peer(Parameters)@Path</c>,
    /// which reads as the ratio it holds. The peer is part of it because one benchmark may be judged against several
    /// (FastBackprop's GEMM against OpenBLAS and oneDNN).
    /// </summary>
    public string Id => IdOf(Type, Method, Peer, Parameters, Path);

    public static string IdOf(string type, string method, string peer, string parameters, string path) => $"{type}.{method}/{peer}({parameters})@{path}";
}

/// <summary>A tracked benchmark the gate did not run on one path because its peer is not installed here, and why.</summary>
internal sealed record SkippedEntry(string Type, string Method, string Peer, string Parameters, string Path, string Reason)
{
    /// <summary>The key of the entry it stands for (<see cref="GateEntry.Id"/>).</summary>
    public string Id => GateEntry.IdOf(Type, Method, Peer, Parameters, Path);
}

/// <summary>A gate run: where and when it ran, its entries, and the entries it skipped.</summary>
internal sealed record GateResult(string Date, string Cpu, string Runtime, IReadOnlyList<GateEntry> Entries)
{
    /// <summary>The entries not run because their peer is not installed on this machine (absent from older result files).</summary>
    public IReadOnlyList<SkippedEntry> Skipped { get; init; } = [];

    /// <summary>
    /// Pairs each tracked benchmark with its peer in the same job (path) and the same parameters. A benchmark whose
    /// own or peer measurement is absent (the case failed) gets no entry; comparison reports it missing. A benchmark
    /// whose peer is missing here is not paired (<see cref="WithSkipped"/> records it).
    /// </summary>
    public static GateResult From(
        IReadOnlyList<Measurement> measurements, IReadOnlyList<GateBenchmark> tracked, string date, string cpu, string runtime)
    {
        var entries = new List<GateEntry>();
        foreach (GateBenchmark benchmark in tracked.Where(b => b.PeerMissing is null))
        {
            IEnumerable<Measurement> own = measurements
                .Where(m => m.Type == benchmark.Type && m.Method == benchmark.Method && benchmark.HasParameters(m.Parameters))
                .OrderByDescending(m => Enum.TryParse(m.Job, out SimdPath path) ? (int)path : -1)
                .ThenBy(m => m.Job, StringComparer.Ordinal);
            foreach (Measurement measured in own)
            {
                Measurement? peer = measurements.FirstOrDefault(m =>
                    m.Type == benchmark.Type && m.Method == benchmark.Peer && m.Parameters == measured.Parameters && m.Job == measured.Job);
                if (peer is not null && peer.TimeNs > 0)
                {
                    entries.Add(new GateEntry(
                        measured.Type, measured.Method, benchmark.Peer, measured.Parameters, measured.Job,
                        measured.TimeNs / peer.TimeNs, measured.TimeNs, peer.TimeNs, measured.AllocatedBytes));
                }
            }
        }

        return new GateResult(date, cpu, runtime, entries);
    }

    /// <summary>This result with a skipped entry on each of <paramref name="paths"/> for every tracked benchmark whose peer is missing here.</summary>
    public GateResult WithSkipped(IReadOnlyList<GateBenchmark> tracked, IReadOnlyList<string> paths) =>
        this with
        {
            Skipped =
            [
                .. Skipped,
                .. tracked.SelectMany(b => b.PeerMissing is string reason
                    ? paths.Select(path => new SkippedEntry(b.Type, b.Method, b.Peer, b.Parameters, path, reason))
                    : []),
            ],
        };

    /// <summary>
    /// This result with each entry that <paramref name="again"/> measured once more replaced by the better of the two
    /// measurements (the lower ratio, the lower allocation): a regression counts only when it shows in both runs,
    /// while a burst of load from other processes rarely hits the same case twice.
    /// </summary>
    public GateResult ConfirmedBy(GateResult again)
    {
        Dictionary<string, GateEntry> second = again.Entries.ToDictionary(e => e.Id);
        return this with
        {
            Entries = Entries
                .Select(e => second.TryGetValue(e.Id, out GateEntry? s)
                    ? (e.Ratio <= s.Ratio ? e : s) with { AllocatedBytes = Math.Min(e.AllocatedBytes, s.AllocatedBytes) }
                    : e)
                .ToArray(),
        };
    }
}
