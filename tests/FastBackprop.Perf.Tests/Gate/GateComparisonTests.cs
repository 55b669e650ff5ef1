using FastBackprop.Benchmarks.Gate;

namespace FastBackprop.Perf.Tests.Gate;

public class GateComparisonTests
{
    private const double Threshold = 0.25;

    private static GateEntry Entry(string method, double ratio, long allocated = 0) =>
        new("SigmoidBenchmarks", method, "TensorPrimitivesSigmoid", "Length=16384", "Vector512", ratio, ratio * 1000, 1000, allocated);

    private static GateResult Result(params GateEntry[] entries) => new("d", "c", "r", entries);

    private static ComparisonRow Single(GateEntry baseline, GateEntry current) =>
        Assert.Single(GateComparison.Compare(Result(baseline), Result(current), Threshold));

    [Theory]
    [InlineData(0.50, 0.50, "Ok")]
    [InlineData(0.50, 0.62, "Ok")]
    [InlineData(0.50, 0.625, "Ok")]
    [InlineData(0.50, 0.63, "Slower")]
    [InlineData(0.50, 1.00, "Slower")]
    [InlineData(0.50, 0.41, "Ok")]
    [InlineData(0.50, 0.39, "Faster")]
    public void Verdict_follows_the_ratio_change_against_the_threshold(double baseline, double current, string expected)
    {
        Assert.Equal(Enum.Parse<Verdict>(expected), Single(Entry("Forward", baseline), Entry("Forward", current)).Verdict);
    }

    [Fact]
    public void Allocating_fails_even_when_faster()
    {
        ComparisonRow row = Single(Entry("Forward", 0.5), Entry("Forward", 0.1, allocated: 24));

        Assert.Equal(Verdict.Allocates, row.Verdict);
        Assert.True(row.Fails);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(23)]
    public void Less_than_one_object_per_call_is_counter_noise_not_an_allocation(long bytes)
    {
        Assert.Equal(Verdict.Ok, Single(Entry("Forward", 0.5), Entry("Forward", 0.5, allocated: bytes)).Verdict);
    }

    [Fact]
    public void An_entry_missing_from_the_run_fails()
    {
        ComparisonRow row = Assert.Single(
            GateComparison.Compare(Result(Entry("Forward", 0.5)), Result(), Threshold));

        Assert.Equal(Verdict.Missing, row.Verdict);
        Assert.True(row.Fails);
        Assert.Null(row.CurrentRatio);
    }

    [Fact]
    public void An_entry_new_to_the_run_is_reported_but_passes()
    {
        IReadOnlyList<ComparisonRow> rows = GateComparison.Compare(
            Result(Entry("Forward", 0.5)), Result(Entry("Forward", 0.5), Entry("Backward", 3.0)), Threshold);

        Assert.Equal([Verdict.Ok, Verdict.New], rows.Select(r => r.Verdict));
        Assert.DoesNotContain(rows, r => r.Fails);
    }

    [Fact]
    public void Faster_and_ok_do_not_fail_slower_does()
    {
        Assert.False(new ComparisonRow("x", 1, 0.5, 0, Verdict.Faster).Fails);
        Assert.False(new ComparisonRow("x", 1, 1, 0, Verdict.Ok).Fails);
        Assert.True(new ComparisonRow("x", 1, 2, 0, Verdict.Slower).Fails);
    }

    [Fact]
    public void Negative_threshold_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GateComparison.Compare(Result(), Result(), -0.1));
    }

    [Fact]
    public void Table_shows_baseline_current_change_limit_and_verdict_then_the_outcome()
    {
        IReadOnlyList<ComparisonRow> rows = GateComparison.Compare(
            Result(Entry("Forward", 0.5), Entry("Backward", 0.4)), Result(Entry("Forward", 0.75), Entry("Backward", 0.4)), Threshold);

        string table = GateComparison.Render(rows, Threshold);
        string[] lines = table.Split(Environment.NewLine);

        Assert.StartsWith("benchmark (ratio = FastBackprop / peer) ", lines[0]);
        Assert.Matches(@"^SigmoidBenchmarks\.Forward/TensorPrimitivesSigmoid\(Length=16384\)@Vector512 +\|    0\.500 \|   0\.750 \| \+50\.0% \| 0\.625 \| +0 \| +SLOWER$", lines[2]);
        Assert.Matches(@"^SigmoidBenchmarks\.Backward/TensorPrimitivesSigmoid\(Length=16384\)@Vector512 +\| +0\.400 \| +0\.400 \| +\+0\.0% \| 0\.500 \| +0 \| +OK$", lines[3]);
        Assert.Contains("FAIL: 1 of 2 entries regressed", table);
    }

    [Fact]
    public void An_entry_skipped_because_its_peer_is_not_installed_passes_with_the_baseline_ratio_shown()
    {
        GateEntry gated = Entry("Forward", 0.5);
        var skipped = new SkippedEntry(gated.Type, gated.Method, gated.Peer, gated.Parameters, gated.Path, "peer not here");

        ComparisonRow row = Assert.Single(GateComparison.Compare(Result(gated), Result() with { Skipped = [skipped] }, Threshold));

        Assert.Equal(new ComparisonRow(gated.Id, 0.5, null, null, Verdict.Skipped, "peer not here"), row);
        Assert.False(row.Fails);
    }

    [Fact]
    public void An_entry_skipped_that_the_baseline_lacks_is_still_reported()
    {
        var skipped = new SkippedEntry("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=NN 64x784x256&Threads=1", "Vector512", "peer not here");

        ComparisonRow row = Assert.Single(GateComparison.Compare(Result(), Result() with { Skipped = [skipped] }, Threshold));

        Assert.Equal(Verdict.Skipped, row.Verdict);
        Assert.Null(row.BaselineRatio);
    }

    [Fact]
    public void Skipping_one_peer_does_not_excuse_another_peer_missing_from_the_run()
    {
        GateEntry openBlas = new("GemmBenchmarks<Single>", "FastBackprop", "OpenBLAS", "Shape=NN 64x784x256&Threads=1", "Vector512", 0.6, 600, 1000, 0);
        var oneDnn = new SkippedEntry("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=NN 64x784x256&Threads=1", "Vector512", "peer not here");

        IReadOnlyList<ComparisonRow> rows = GateComparison.Compare(Result(openBlas), Result() with { Skipped = [oneDnn] }, Threshold);

        Assert.Equal([Verdict.Skipped, Verdict.Missing], rows.Select(r => r.Verdict));
        Assert.Contains(rows, r => r.Fails);
    }

    [Fact]
    public void Table_marks_skipped_rows_gives_the_reason_once_and_passes()
    {
        static SkippedEntry Skipped(string path) =>
            new("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=NN 64x784x256&Threads=1", path, "oneDNN is not installed.");
        GateResult current = Result(Entry("Forward", 0.5)) with { Skipped = [Skipped("Vector512"), Skipped("Scalar")] };

        string table = GateComparison.Render(GateComparison.Compare(Result(Entry("Forward", 0.5)), current, Threshold), Threshold);
        string[] lines = table.Split(Environment.NewLine);

        Assert.Matches(@"^GemmBenchmarks<Single>\.FastBackprop/OneDNN\(Shape=NN 64x784x256&Threads=1\)@Vector512 +\| +- \| +- \| +- \| +- \| +- \| +SKIPPED$", lines[3]);
        Assert.Single(lines, l => l == "SKIPPED: oneDNN is not installed.");
        Assert.Contains("PASS: 1 entries, none regressed; 2 skipped (peer not installed).", table);
    }

    [Fact]
    public void Table_says_pass_when_nothing_regressed()
    {
        string table = GateComparison.Render(GateComparison.Compare(Result(Entry("Forward", 0.5)), Result(Entry("Forward", 0.5)), Threshold), Threshold);

        Assert.Contains("PASS: 1 entries, none regressed.", table);
    }
}
