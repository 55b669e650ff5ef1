using System.Globalization;
using System.Text;

namespace FastBackprop.Benchmarks.Gate;

/// <summary>What the gate concluded about one entry.</summary>
internal enum Verdict
{
    /// <summary>Within the threshold of the baseline's ratio, and allocation-free.</summary>
    Ok,

    /// <summary>Faster than the baseline by more than the threshold: a candidate for <c>--update-baseline</c>.</summary>
    Faster,

    /// <summary>In this run but not in the baseline: reported, not gated.</summary>
    New,

    /// <summary>The ratio grew beyond the threshold.</summary>
    Slower,

    /// <summary>The FastBackprop benchmark allocated managed memory per call (it must allocate none).</summary>
    Allocates,

    /// <summary>In the baseline but not in this run: the case failed or its peer did not run.</summary>
    Missing,

    /// <summary>Not run because its peer is an optional library that is not installed here: reported, not gated.</summary>
    Skipped,
}

/// <summary>One row of the gate's table.</summary>
/// <param name="SkipReason">Why a <see cref="Verdict.Skipped"/> row was not run; null for the others.</param>
internal sealed record ComparisonRow(string Id, double? BaselineRatio, double? CurrentRatio, long? AllocatedBytes, Verdict Verdict, string? SkipReason = null)
{
    /// <summary>Whether this row fails the gate.</summary>
    public bool Fails => Verdict is Verdict.Slower or Verdict.Allocates or Verdict.Missing;
}

/// <summary>
/// Compares a run with the baseline by the two measures that survive a noisy machine: the ratio of FastBackprop's
/// time to its in-run peer's (absolute times drift 10–30 % here, ratios much less), and allocated bytes, which must
/// stay 0.
/// </summary>
internal static class GateComparison
{
    /// <summary>
    /// The default threshold: a ratio may grow by this fraction over the baseline's before the gate fails. Chosen
    /// from the run-to-run spread of the gate's ratios on an unchanged tree, measured on the shared 2-core machine
    /// with other builds and tests running (perf/README.md, "Choosing the threshold"): up to 48 % there, so 60 %
    /// keeps an unchanged tree passing while a kernel that does its work twice (+100 %) fails. On a quiet machine
    /// pass a smaller <c>--threshold</c>.
    /// </summary>
    public const double DefaultThreshold = 0.6;

    /// <summary>
    /// Bytes per call below which a measured allocation is noise, not the kernel's: BenchmarkDotNet's counter is
    /// process-wide, and the runtime's background work (tiered JIT) adds a byte or two per call amortized over the
    /// millions of calls, while a kernel that allocates on a call allocates at least one object, 24 bytes on 64-bit.
    /// </summary>
    public const long AllocationNoiseBytes = 24;

    /// <summary>
    /// One row per entry of either result: <see cref="Verdict.Slower"/> when <c>current &gt; baseline × (1 + threshold)</c>,
    /// <see cref="Verdict.Faster"/> when <c>current &lt; baseline / (1 + threshold)</c>; then a row per entry the run
    /// skipped (<see cref="Verdict.Skipped"/>, whether or not the baseline has it), then the baseline's entries the run
    /// neither produced nor skipped (<see cref="Verdict.Missing"/>).
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Compare(GateResult baseline, GateResult current, double threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        Dictionary<string, GateEntry> before = baseline.Entries.ToDictionary(e => e.Id);
        var rows = new List<ComparisonRow>();
        foreach (GateEntry entry in current.Entries)
        {
            double? baselineRatio = before.TryGetValue(entry.Id, out GateEntry? old) ? old.Ratio : null;
            Verdict verdict =
                entry.AllocatedBytes >= AllocationNoiseBytes ? Verdict.Allocates
                : baselineRatio is not double reference ? Verdict.New
                : entry.Ratio > reference * (1 + threshold) ? Verdict.Slower
                : entry.Ratio < reference / (1 + threshold) ? Verdict.Faster
                : Verdict.Ok;
            rows.Add(new ComparisonRow(entry.Id, baselineRatio, entry.Ratio, entry.AllocatedBytes, verdict));
        }

        rows.AddRange(current.Skipped.Select(e =>
            new ComparisonRow(e.Id, before.TryGetValue(e.Id, out GateEntry? old) ? old.Ratio : null, null, null, Verdict.Skipped, e.Reason)));

        HashSet<string> present = [.. current.Entries.Select(e => e.Id), .. current.Skipped.Select(e => e.Id)];
        rows.AddRange(baseline.Entries
            .Where(e => !present.Contains(e.Id))
            .Select(e => new ComparisonRow(e.Id, e.Ratio, null, null, Verdict.Missing)));
        return rows;
    }

    /// <summary>The table the gate prints: baseline ratio, current ratio, their change, the limit and the verdict per entry.</summary>
    public static string Render(IReadOnlyList<ComparisonRow> rows, double threshold)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string[] header = ["benchmark (ratio = FastBackprop / peer)", "baseline", "current", "change", "limit", "alloc B", "verdict"];
        List<string[]> cells = rows.Select(r => new[]
        {
            r.Id,
            r.BaselineRatio?.ToString("F3", c) ?? "-",
            r.CurrentRatio?.ToString("F3", c) ?? "-",
            r.BaselineRatio is double b && r.CurrentRatio is double n ? ((n / b) - 1).ToString("+0.0%;-0.0%", c) : "-",
            r.BaselineRatio is double l ? (l * (1 + threshold)).ToString("F3", c) : "-",
            r.AllocatedBytes?.ToString(c) ?? "-",
            r.Verdict.ToString().ToUpperInvariant(),
        }).ToList();
        int[] widths = Enumerable.Range(0, header.Length).Select(i => cells.Select(row => row[i].Length).Append(header[i].Length).Max()).ToArray();

        var text = new StringBuilder();
        void Line(string[] row) =>
            text.AppendLine(string.Join(" | ", row.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        Line(header);
        text.AppendLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        cells.ForEach(Line);
        int failed = rows.Count(r => r.Fails);
        int skipped = rows.Count(r => r.Verdict == Verdict.Skipped);
        int judged = rows.Count - skipped;
        text.AppendLine(c, $"threshold: a ratio may grow by {threshold:P0}; a kernel must not allocate (< {AllocationNoiseBytes} B per call is counter noise).");
        foreach (string reason in rows.Select(r => r.SkipReason).OfType<string>().Distinct())
        {
            text.AppendLine(c, $"SKIPPED: {reason}");
        }

        string skippedNote = skipped == 0 ? "" : string.Create(c, $"; {skipped} skipped (peer not installed)");
        text.AppendLine(failed == 0
            ? string.Create(c, $"PASS: {judged} entries, none regressed{skippedNote}.")
            : string.Create(c, $"FAIL: {failed} of {judged} entries regressed (SLOWER, ALLOCATES or MISSING){skippedNote}."));
        return text.ToString();
    }
}
