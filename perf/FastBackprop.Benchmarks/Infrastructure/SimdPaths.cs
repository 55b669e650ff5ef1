using BenchmarkDotNet.Jobs;

namespace FastBackprop.Benchmarks.Infrastructure;

/// <summary>
/// The SIMD paths a benchmark job can run on, each selected by the runtime switch of DESIGN.md. The switch reaches
/// the whole benchmark process, so FastBackprop and its TensorPrimitives peer run at the same vector width and the
/// ratio between them compares like with like. OpenBLAS is native code and keeps its own dispatch on every path.
/// </summary>
internal static class SimdPaths
{
    /// <summary>Every path, widest first, with the environment variable that forces it (none for the widest).</summary>
    public static IReadOnlyList<(SimdPath Path, EnvironmentVariable? Switch)> All { get; } =
    [
        (SimdPath.Vector512, null),
        (SimdPath.Vector256, new EnvironmentVariable("DOTNET_EnableAVX512", "0")),
        (SimdPath.Vector128, new EnvironmentVariable("DOTNET_EnableAVX", "0")),
        (SimdPath.Scalar, new EnvironmentVariable("DOTNET_EnableHWIntrinsic", "0")),
    ];

    /// <summary>The paths this machine can run: the hardware's widest and every narrower one.</summary>
    public static IReadOnlyList<SimdPath> Available { get; } =
        All.Select(p => p.Path).Where(p => p <= SimdInfo.HardwarePath).ToArray();

    /// <summary>
    /// Parses a <c>--paths</c> value: a comma- or space-separated list of <c>vector512</c>, <c>vector256</c>,
    /// <c>vector128</c>, <c>scalar</c> (or their aliases <c>avx512</c>, <c>avx2</c>, <c>sse</c>), or <c>all</c>. Paths
    /// wider than the hardware's are dropped, since forcing them is not possible.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a path.</exception>
    public static IReadOnlyList<SimdPath> Parse(IEnumerable<string> values)
    {
        var paths = new SortedSet<SimdPath>(Comparer<SimdPath>.Create((a, b) => b.CompareTo(a)));
        foreach (string name in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            switch (name.ToLowerInvariant())
            {
                case "all": paths.UnionWith(All.Select(p => p.Path)); break;
                case "vector512" or "avx512": paths.Add(SimdPath.Vector512); break;
                case "vector256" or "avx2": paths.Add(SimdPath.Vector256); break;
                case "vector128" or "sse": paths.Add(SimdPath.Vector128); break;
                case "scalar": paths.Add(SimdPath.Scalar); break;
                default:
                    throw new ArgumentException(
                        $"'{name}' is not a SIMD path; use vector512 (avx512), vector256 (avx2), vector128 (sse), scalar or all.", nameof(values));
            }
        }

        return paths.Where(p => p <= SimdInfo.HardwarePath).ToArray();
    }

    /// <summary>
    /// One job per path from each base job: the path's switch is added to the job's environment, and the job is named
    /// by the path (prefixed by the base job's name when there are several), so the summary has a row per path.
    /// </summary>
    public static IEnumerable<Job> Expand(IReadOnlyList<Job> baseJobs, IReadOnlyList<SimdPath> paths)
    {
        IReadOnlyList<Job> bases = baseJobs.Count > 0 ? baseJobs : [Job.Default];
        foreach (Job baseJob in bases)
        {
            foreach (SimdPath path in paths)
            {
                EnvironmentVariable? pathSwitch = All.Single(p => p.Path == path).Switch;
                Job job = pathSwitch is null
                    ? baseJob
                    : baseJob.WithEnvironmentVariables([.. baseJob.Environment.EnvironmentVariables ?? [], pathSwitch]);
                yield return job.WithId(bases.Count == 1 ? path.ToString() : $"{baseJob.ResolvedId}-{path}");
            }
        }
    }
}
