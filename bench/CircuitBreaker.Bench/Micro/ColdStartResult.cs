namespace CircuitBreaker.Bench.Micro;

/// <summary>Cold start of one build of the bootstrap: process start to first response posted to the Runtime API.</summary>
internal sealed record ColdStartResult(
    string Build,
    int Samples,
    double FirstResponseMedianMs,
    double FirstResponseMinMs,
    double FirstResponseMaxMs,
    long SizeBytes,
    string SizeWhat,
    long PeakRssKilobytes);
