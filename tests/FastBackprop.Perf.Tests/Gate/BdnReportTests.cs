using FastBackprop.Benchmarks.Gate;

namespace FastBackprop.Perf.Tests.Gate;

public class BdnReportTests
{
    /// <summary>Two cases cut from a real BenchmarkDotNet 0.15.8 full report, plus one failed case without statistics.</summary>
    private const string Report =
        """
        {
          "Title": "FastBackprop.Benchmarks.SigmoidBenchmarks-20261122-170018",
          "HostEnvironmentInfo": { "ProcessorName": "AMD EPYC" },
          "Benchmarks": [
            {
              "DisplayInfo": "SigmoidBenchmarks.TensorPrimitivesSigmoid: Vector256(EnvironmentVariables=DOTNET_EnableAVX512=0, IterationCount=15) [Length=16384]",
              "Namespace": "FastBackprop.Benchmarks",
              "Type": "SigmoidBenchmarks",
              "Method": "TensorPrimitivesSigmoid",
              "Parameters": "Length=16384",
              "Statistics": { "N": 15, "Min": 11000.5, "Median": 12000.5, "Mean": 12500 },
              "Memory": { "Gen0Collections": 0, "BytesAllocatedPerOperation": 0 }
            },
            {
              "DisplayInfo": "SigmoidBenchmarks.Forward: Vector512 [Length=16384]",
              "Type": "SigmoidBenchmarks",
              "Method": "Forward",
              "Parameters": "Length=16384",
              "Statistics": { "N": 15, "Min": 5000, "Median": 6000, "Mean": 6100 },
              "Memory": { "BytesAllocatedPerOperation": 336 }
            },
            {
              "DisplayInfo": "GemmBenchmarks.OpenBlas: Vector512 [M=64&N=784&K=256]",
              "Type": "GemmBenchmarks",
              "Method": "OpenBlas",
              "Parameters": "M=64&N=784&K=256",
              "Statistics": null
            }
          ]
        }
        """;

    [Fact]
    public void Parse_reads_type_method_parameters_job_fastest_iteration_and_allocation_of_each_case()
    {
        IReadOnlyList<Measurement> measurements = BdnReport.Parse(Report);

        Assert.Equal(
            [
                new Measurement("SigmoidBenchmarks", "TensorPrimitivesSigmoid", "Length=16384", "Vector256", 11000.5, 0),
                new Measurement("SigmoidBenchmarks", "Forward", "Length=16384", "Vector512", 5000, 336),
            ],
            measurements);
    }

    [Fact]
    public void Parse_leaves_out_a_case_without_statistics()
    {
        Assert.DoesNotContain(BdnReport.Parse(Report), m => m.Type == "GemmBenchmarks");
    }

    [Fact]
    public void Parse_rejects_json_that_is_not_a_report()
    {
        Assert.Throws<FormatException>(() => BdnReport.Parse("""{ "Title": "x" }"""));
    }

    [Theory]
    [InlineData("SigmoidBenchmarks.Forward: Vector512(IterationCount=15) [Length=1024]", "Vector512")]
    [InlineData("SigmoidBenchmarks.Forward: Vector256(EnvironmentVariables=DOTNET_EnableAVX512=0) [Length=1024]", "Vector256")]
    [InlineData("SigmoidBenchmarks.Forward: DefaultJob [Length=1024]", "DefaultJob")]
    [InlineData("TrainingBenchmarks.Step: ShortRun-Scalar(EnvironmentVariables=DOTNET_EnableHWIntrinsic=0)", "ShortRun-Scalar")]
    [InlineData("ExpBenchmarks.Exp: Dry", "Dry")]
    public void JobId_is_the_word_after_the_colon(string displayInfo, string expected)
    {
        Assert.Equal(expected, BdnReport.JobId(displayInfo));
    }

    [Fact]
    public void JobId_rejects_text_without_a_job()
    {
        Assert.Throws<FormatException>(() => BdnReport.JobId("no job here"));
    }
}
