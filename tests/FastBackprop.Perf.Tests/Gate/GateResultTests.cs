using FastBackprop.Benchmarks.Gate;

namespace FastBackprop.Perf.Tests.Gate;

public class GateResultTests
{
    private static readonly GateBenchmark Forward = new("SigmoidBenchmarks", "Forward", "TensorPrimitivesSigmoid", "Length=16384");

    [Fact]
    public void Ratio_is_own_time_over_the_peer_time_in_the_same_job_and_parameters()
    {
        Measurement[] measurements =
        [
            new("SigmoidBenchmarks", "TensorPrimitivesSigmoid", "Length=16384", "Vector512", 1000, 0),
            new("SigmoidBenchmarks", "TensorPrimitivesSigmoid", "Length=16384", "Vector256", 4000, 0),
            new("SigmoidBenchmarks", "TensorPrimitivesSigmoid", "Length=1024", "Vector512", 1, 0),
            new("SigmoidBenchmarks", "Forward", "Length=16384", "Vector256", 1000, 0),
            new("SigmoidBenchmarks", "Forward", "Length=16384", "Vector512", 500, 8),
        ];

        GateResult result = GateResult.From(measurements, [Forward], "d", "c", "r");

        Assert.Equal(
            [
                new GateEntry("SigmoidBenchmarks", "Forward", "TensorPrimitivesSigmoid", "Length=16384", "Vector512", 0.5, 500, 1000, 8),
                new GateEntry("SigmoidBenchmarks", "Forward", "TensorPrimitivesSigmoid", "Length=16384", "Vector256", 0.25, 1000, 4000, 0),
            ],
            result.Entries);
    }

    [Fact]
    public void A_benchmark_whose_peer_did_not_run_gets_no_entry()
    {
        Measurement[] measurements = [new("SigmoidBenchmarks", "Forward", "Length=16384", "Vector512", 500, 0)];

        Assert.Empty(GateResult.From(measurements, [Forward], "d", "c", "r").Entries);
    }

    [Fact]
    public void Other_parameter_sets_are_not_gated()
    {
        Measurement[] measurements =
        [
            new("SigmoidBenchmarks", "TensorPrimitivesSigmoid", "Length=1024", "Vector512", 1000, 0),
            new("SigmoidBenchmarks", "Forward", "Length=1024", "Vector512", 500, 0),
        ];

        Assert.Empty(GateResult.From(measurements, [Forward], "d", "c", "r").Entries);
    }

    [Fact]
    public void Parameters_match_whatever_order_BenchmarkDotNet_prints_them_in()
    {
        var tracked = new GateBenchmark("ActivationBenchmarks", "Forward", "ScalarLoopForward", "Kind=Tanh&Length=32768");
        Measurement[] measurements =
        [
            new("ActivationBenchmarks", "ScalarLoopForward", "Length=32768&Kind=Tanh", "Vector512", 1000, 0),
            new("ActivationBenchmarks", "Forward", "Length=32768&Kind=Tanh", "Vector512", 250, 0),
            new("ActivationBenchmarks", "Forward", "Length=32768&Kind=Relu", "Vector512", 100, 0),
        ];

        GateEntry entry = Assert.Single(GateResult.From(measurements, [tracked], "d", "c", "r").Entries);

        Assert.Equal(0.25, entry.Ratio);
        Assert.True(tracked.HasParameters("Length=32768&Kind=Tanh"));
        Assert.False(tracked.HasParameters("Length=32768"));
    }

    [Fact]
    public void Confirmation_keeps_the_lower_ratio_and_allocation_of_each_entry_measured_twice()
    {
        static GateEntry Entry(string path, double ratio, long allocated) =>
            new("SigmoidBenchmarks", "Forward", "TensorPrimitivesSigmoid", "Length=16384", path, ratio, ratio, 1, allocated);
        var first = new GateResult("d", "c", "r", [Entry("Vector512", 2.0, 0), Entry("Vector256", 0.5, 96), Entry("Scalar", 1.0, 0)]);
        var again = new GateResult("d2", "c", "r", [Entry("Vector512", 0.6, 48), Entry("Vector256", 0.9, 0)]);

        GateResult confirmed = first.ConfirmedBy(again);

        Assert.Equal("d", confirmed.Date);
        Assert.Equal([Entry("Vector512", 0.6, 0), Entry("Vector256", 0.5, 0), Entry("Scalar", 1.0, 0)], confirmed.Entries);
    }

    [Fact]
    public void Entry_id_names_class_method_peer_parameters_and_path()
    {
        var entry = new GateEntry("SigmoidBenchmarks", "Forward", "Peer", "Length=16384", "Vector128", 1, 1, 1, 0);

        Assert.Equal("SigmoidBenchmarks.Forward/Peer(Length=16384)@Vector128", entry.Id);
    }

    [Fact]
    public void One_benchmark_judged_against_two_peers_gets_an_entry_for_each()
    {
        GateBenchmark[] tracked =
        [
            new("GemmBenchmarks<Single>", "FastBackprop", "OpenBLAS", "Shape=NN 64x784x256&Threads=1"),
            new("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=NN 64x784x256&Threads=1"),
        ];
        Measurement[] measurements =
        [
            new("GemmBenchmarks<Single>", "FastBackprop", "Shape=NN 64x784x256&Threads=1", "Vector512", 600, 0),
            new("GemmBenchmarks<Single>", "OpenBLAS", "Shape=NN 64x784x256&Threads=1", "Vector512", 1000, 0),
            new("GemmBenchmarks<Single>", "OneDNN", "Shape=NN 64x784x256&Threads=1", "Vector512", 500, 0),
        ];

        GateResult result = GateResult.From(measurements, tracked, "d", "c", "r");

        Assert.Equal([0.6, 1.2], result.Entries.Select(e => e.Ratio));
        Assert.Equal(2, result.Entries.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void A_benchmark_whose_peer_is_missing_here_is_not_paired_but_skipped_on_every_path()
    {
        var optional = new GateBenchmark("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=TN 784x64x256&Threads=1", PeerMissing: "not installed");
        Measurement[] measurements =
        [
            new("GemmBenchmarks<Single>", "FastBackprop", "Shape=TN 784x64x256&Threads=1", "Vector512", 600, 0),
            new("GemmBenchmarks<Single>", "OneDNN", "Shape=TN 784x64x256&Threads=1", "Vector512", 500, 0),
        ];

        GateResult result = GateResult.From(measurements, [Forward, optional], "d", "c", "r").WithSkipped([Forward, optional], ["Vector512", "Scalar"]);

        Assert.Empty(result.Entries);
        Assert.Equal(
            [
                new SkippedEntry("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=TN 784x64x256&Threads=1", "Vector512", "not installed"),
                new SkippedEntry("GemmBenchmarks<Single>", "FastBackprop", "OneDNN", "Shape=TN 784x64x256&Threads=1", "Scalar", "not installed"),
            ],
            result.Skipped);
    }

    [Fact]
    public void Json_round_trip_keeps_every_field()
    {
        var result = new GateResult("2026-11-22 17:00 UTC", "AMD EPYC", ".NET 10.0.12",
            [new GateEntry("SigmoidBenchmarks", "Forward", "TensorPrimitivesSigmoid", "Length=16384", "Vector512", 0.4321, 4321.5, 10000, 0)]);

        GateResult back = GateJson.Deserialize(GateJson.Serialize(result));

        Assert.Equal(result with { Entries = [] }, back with { Entries = [], Skipped = [] });
        Assert.Equal(result.Entries, back.Entries);
    }

    [Fact]
    public void Json_round_trip_keeps_the_skipped_entries()
    {
        var result = new GateResult("d", "c", "r", []) { Skipped = [new SkippedEntry("T", "M", "P", "X=1", "Scalar", "why")] };

        Assert.Equal(result.Skipped, GateJson.Deserialize(GateJson.Serialize(result)).Skipped);
    }

    [Fact]
    public void Json_written_before_skipped_entries_existed_reads_as_none_skipped()
    {
        GateResult result = GateJson.Deserialize("""{ "date": "d", "cpu": "c", "runtime": "r", "entries": [] }""");

        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void Json_without_entries_is_rejected()
    {
        Assert.Throws<FormatException>(() => GateJson.Deserialize("""{ "date": "x" }"""));
        Assert.Throws<FormatException>(() => GateJson.Deserialize("not json"));
    }
}
