using System.Globalization;

using BenchmarkDotNet.Analysers;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.EventProcessors;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Validators;

namespace FastBackprop.Benchmarks.Infrastructure;

/// <summary>
/// A configuration whose jobs are the inner configuration's jobs run once per SIMD path; everything else is the
/// inner configuration's. BenchmarkDotNet unions jobs from code with jobs from its command line, so the expansion is
/// applied after the command line has been parsed.
/// </summary>
internal sealed class PathJobsConfig(IConfig inner, IReadOnlyList<SimdPath> paths) : IConfig
{
    public IEnumerable<Job> GetJobs() => SimdPaths.Expand(inner.GetJobs().ToArray(), paths);

    public IEnumerable<IColumnProvider> GetColumnProviders() => inner.GetColumnProviders();

    public IEnumerable<IExporter> GetExporters() => inner.GetExporters();

    public IEnumerable<ILogger> GetLoggers() => inner.GetLoggers();

    public IEnumerable<IDiagnoser> GetDiagnosers() => inner.GetDiagnosers();

    public IEnumerable<IAnalyser> GetAnalysers() => inner.GetAnalysers();

    public IEnumerable<IValidator> GetValidators() => inner.GetValidators();

    public IEnumerable<HardwareCounter> GetHardwareCounters() => inner.GetHardwareCounters();

    public IEnumerable<IFilter> GetFilters() => inner.GetFilters();

    public IEnumerable<BenchmarkLogicalGroupRule> GetLogicalGroupRules() => inner.GetLogicalGroupRules();

    public IEnumerable<IColumnHidingRule> GetColumnHidingRules() => inner.GetColumnHidingRules();

    public IEnumerable<EventProcessor> GetEventProcessors() => inner.GetEventProcessors();

    public IOrderer? Orderer => inner.Orderer;

    public ICategoryDiscoverer? CategoryDiscoverer => inner.CategoryDiscoverer;

    public SummaryStyle SummaryStyle => inner.SummaryStyle;

    public ConfigUnionRule UnionRule => inner.UnionRule;

    public string ArtifactsPath => inner.ArtifactsPath;

    public CultureInfo? CultureInfo => inner.CultureInfo;

    public ConfigOptions Options => inner.Options;

    public TimeSpan BuildTimeout => inner.BuildTimeout;

    public WakeLockType WakeLock => inner.WakeLock;

    public IReadOnlyList<Conclusion> ConfigAnalysisConclusion => inner.ConfigAnalysisConclusion;
}
