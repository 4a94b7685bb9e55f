using BenchmarkDotNet.Attributes;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Bench.Micro.Benchmarks;

/// <summary>Writing each function's per-request line without and with its Embedded Metric Format block.</summary>
public class MetricsOverheadBenchmarks
{
    private readonly FunctionLog _log = new(TextWriter.Null, TimeProvider.System, "bench");

    [Benchmark(Baseline = true, Description = "webservice line, no metrics")]
    public void RelayedPlain() => MetricsOverheadBench.Relayed(_log, withMetrics: false);

    [Benchmark(Description = "webservice line, with metrics")]
    public void RelayedWithMetrics() => MetricsOverheadBench.Relayed(_log, withMetrics: true);

    [Benchmark(Description = "recorder line, no metrics")]
    public void RecordedPlain() => MetricsOverheadBench.Recorded(_log, withMetrics: false);

    [Benchmark(Description = "recorder line, with metrics")]
    public void RecordedWithMetrics() => MetricsOverheadBench.Recorded(_log, withMetrics: true);
}
