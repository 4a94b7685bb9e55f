using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Micro;

namespace CircuitBreaker.Bench.Report;

/// <summary>Everything one bench command measured, for the report.</summary>
internal sealed record BenchReport(
    BenchOptions Options,
    MachineInfo Machine,
    DateTimeOffset StartedAt,
    TimeSpan Took,
    IReadOnlyList<OutageRunResult> OutageRuns,
    IReadOnlyList<FastFailResult> FastFail,
    IReadOnlyList<ThroughputResult> Throughput,
    IReadOnlyList<ColdStartResult> ColdStart,
    string? ColdStartNote,
    IReadOnlyList<double> LoadAverages,
    IReadOnlyList<MicroResult>? Micro = null);
