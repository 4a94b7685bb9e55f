namespace CircuitBreaker.Bench.Micro;

/// <summary>One BenchmarkDotNet case, as its summary reports it.</summary>
/// <param name="Suite">The benchmark class, without "Benchmarks".</param>
/// <param name="Benchmark">The benchmark method's description.</param>
/// <param name="Parameters">Its parameters (<c>Routes=20</c>), empty for none.</param>
/// <param name="MeanNanoseconds">Mean time per operation.</param>
/// <param name="MedianNanoseconds">Median time per operation.</param>
/// <param name="StandardErrorNanoseconds">Standard error of the mean.</param>
/// <param name="AllocatedBytesPerOperation">Managed bytes allocated per operation (MemoryDiagnoser); null when not known.</param>
internal sealed record MicroResult(
    string Suite,
    string Benchmark,
    string Parameters,
    double MeanNanoseconds,
    double MedianNanoseconds,
    double StandardErrorNanoseconds,
    long? AllocatedBytesPerOperation);
