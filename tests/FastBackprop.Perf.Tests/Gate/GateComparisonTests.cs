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
        Assert.Matches(@"^SigmoidBenchmarks\.Forward\(Length=16384\)@Vector512 +\|    0\.500 \|   0\.750 \| \+50\.0% \| 0\.625 \| +0 \| +SLOWER$", lines[2]);
        Assert.Matches(@"^SigmoidBenchmarks\.Backward\(Length=16384\)@Vector512 +\| +0\.400 \| +0\.400 \| +\+0\.0% \| 0\.500 \| +0 \| +OK$", lines[3]);
        Assert.Contains("FAIL: 1 of 2 entries regressed", table);
    }

    [Fact]
    public void Table_says_pass_when_nothing_regressed()
    {
        string table = GateComparison.Render(GateComparison.Compare(Result(Entry("Forward", 0.5)), Result(Entry("Forward", 0.5)), Threshold), Threshold);

        Assert.Contains("PASS: 1 entries, none regressed.", table);
    }
}
