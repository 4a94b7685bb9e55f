namespace CircuitBreaker.Bench.Load;

/// <summary>
/// An open-loop load: requests are due at a fixed total rate whatever the answers take, spread round-robin
/// over <see cref="Clients"/> clients (each its own connection pool). At most <see cref="MaxInFlight"/> may be
/// outstanding; a due request beyond that is counted as shed by the driver rather than queued.
/// </summary>
internal sealed record LoadPlan(double RequestsPerSecond, TimeSpan Duration, int Clients, int MaxInFlight, TimeSpan ClientTimeout)
{
    public int TotalRequests => (int)Math.Floor(RequestsPerSecond * Duration.TotalSeconds);

    public TimeSpan DueAt(int index) => TimeSpan.FromSeconds(index / RequestsPerSecond);
}
