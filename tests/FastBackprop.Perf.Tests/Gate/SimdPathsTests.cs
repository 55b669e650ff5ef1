using BenchmarkDotNet.Jobs;

using FastBackprop.Benchmarks.Infrastructure;

namespace FastBackprop.Perf.Tests.Gate;

public class SimdPathsTests
{
    [Fact]
    public void All_names_every_available_path_widest_first()
    {
        Assert.Equal(SimdPaths.Available, SimdPaths.Parse(["all"]));
        Assert.Equal(SimdPaths.Available.OrderDescending(), SimdPaths.Available);
    }

    [Fact]
    public void Names_and_aliases_are_read_from_commas_and_separate_values_without_duplicates()
    {
        IReadOnlyList<SimdPath> paths = SimdPaths.Parse(["scalar,SSE", "vector128", " scalar "]);

        // Paths wider than this process's hardware path are dropped (CI also runs this suite with intrinsics off).
        SimdPath[] expected = [.. new[] { SimdPath.Vector128, SimdPath.Scalar }.Where(p => p <= SimdInfo.HardwarePath)];
        Assert.Equal(expected, paths);
    }

    [Fact]
    public void An_unknown_name_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => SimdPaths.Parse(["vector1024"]));
    }

    [Fact]
    public void Each_path_job_carries_its_runtime_switch_and_is_named_by_the_path()
    {
        Job[] jobs = SimdPaths.Expand([Job.Dry], [SimdPath.Vector256, SimdPath.Scalar]).ToArray();

        Assert.Equal(["Vector256", "Scalar"], jobs.Select(j => j.Id));
        Assert.Equal([new EnvironmentVariable("DOTNET_EnableAVX512", "0")], jobs[0].Environment.EnvironmentVariables);
        Assert.Equal([new EnvironmentVariable("DOTNET_EnableHWIntrinsic", "0")], jobs[1].Environment.EnvironmentVariables);
        Assert.Equal(Job.Dry.Run.IterationCount, jobs[1].Run.IterationCount);
    }

    [Fact]
    public void Several_base_jobs_keep_their_name_in_front_of_the_path()
    {
        Job[] jobs = SimdPaths.Expand([Job.Dry.WithId("A"), Job.Dry.WithId("B")], [SimdPath.Scalar]).ToArray();

        Assert.Equal(["A-Scalar", "B-Scalar"], jobs.Select(j => j.Id));
    }

    [Fact]
    public void No_base_job_means_the_default_job()
    {
        Job job = Assert.Single(SimdPaths.Expand([], [SimdPath.Scalar]));

        Assert.Equal(Job.Default.Run.IterationCount, job.Run.IterationCount);
    }
}
