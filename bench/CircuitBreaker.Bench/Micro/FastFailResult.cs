namespace CircuitBreaker.Bench.Micro;

/// <summary>The cost of one way of answering while the circuit is open (or of the failing call it replaces).</summary>
/// <param name="Path">What was measured.</param>
/// <param name="Samples">How many requests.</param>
/// <param name="HandlerP50Ms">Handler time, median.</param>
/// <param name="HandlerP99Ms">Handler time, 99th percentile.</param>
/// <param name="EndToEndP50Ms">Client latency through the HTTP API, median; NaN when not measured.</param>
/// <param name="EndToEndP99Ms">Client latency, 99th percentile.</param>
/// <param name="DynamoDbReadsPerRequest">DynamoDB reads per request.</param>
internal sealed record FastFailResult(
    string Path,
    int Samples,
    double HandlerP50Ms,
    double HandlerP99Ms,
    double EndToEndP50Ms,
    double EndToEndP99Ms,
    double DynamoDbReadsPerRequest);

/// <summary>The open-circuit path at saturation.</summary>
internal sealed record ThroughputResult(
    string Variant,
    int Concurrency,
    TimeSpan Duration,
    long Requests,
    double RequestsPerSecond,
    double BenchCpuMicrosecondsPerRequest,
    double DynaliteCpuMicrosecondsPerRequest,
    double FastFailShare);
