using System.Diagnostics;
using System.Globalization;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench.Load;

/// <summary>
/// <c>-- stale-writes [SECONDS]</c>: what <c>whenOpen: stale</c> costs the table while the downstream is healthy. One
/// busy GET at 50 req/s for SECONDS (default 120) through the local host's HTTP API, the functions' DynamoDB requests
/// counted by operation at the proxy in front of dynalite: every UpdateItem the webservice sends while closed is a
/// stored answer (count mode writes nothing else). Printed, not written to the report.
/// </summary>
internal static class StaleWritesBench
{
    /// <summary>The rate of the issue's measurement.</summary>
    public const double RequestsPerSecond = 50;

    /// <summary>Runs the measurement and prints one summary line.</summary>
    public static async Task<int> RunAsync(TimeSpan duration, StackSettings stack, string repositoryRoot, TextWriter output, CancellationToken cancellationToken)
    {
        var variant = new OursVariant("ours-stale", "ours, whenOpen stale", s => s with { Target = s.Target with { WhenOpen = WhenOpenMode.Stale } });
        await using var system = await MeasuredLocalSystem.StartAsync(variant, stack, repositoryRoot, cancellationToken).ConfigureAwait(false);
        var refresh = system.Settings.Target.StaleRefresh;
        await output.WriteLineAsync(
            $"stale writes: one GET at {RequestsPerSecond} req/s for {duration.TotalSeconds:0} s, staleRefreshSeconds {refresh.TotalSeconds:0}").ConfigureAwait(false);

        system.SetDownstreamFault(null);
        system.ResetCounters();
        var plan = new LoadPlan(RequestsPerSecond, duration, Clients: 20, MaxInFlight: 400, ClientTimeout: TimeSpan.FromSeconds(10));
        var driver = new LoadDriver(new Uri(system.ApiBaseAddress, "/catalog?page=1"), plan);
        await driver.RunAsync(Stopwatch.GetTimestamp(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);

        var operations = system.WebserviceDynamoDb.Snapshot();
        var writes = operations.GetValueOrDefault("UpdateItem");
        var requests = driver.Samples.Count;
        var answered = driver.Samples.Count(sample => sample.Status == 200);
        var others = string.Join(", ", driver.Samples.Where(sample => sample.Status != 200).GroupBy(sample => sample.Status)
            .OrderBy(group => group.Key).Select(group => string.Create(CultureInfo.InvariantCulture, $"{group.Count()}× {group.Key}")));
        var perRequest = requests == 0 ? 0 : (double)writes / requests;
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"stale writes: {requests} requests ({answered} answered 200{(others.Length > 0 ? ", " + others : string.Empty)}, {driver.Shed} shed), "
            + $"{system.WebserviceInstances} webservice instance(s), {system.WebserviceDynamoDb.ThrottledWrites} throttled writes, "
            + $"{writes} stored answers (UpdateItem), {perRequest:0.#####} writes per request; "
            + $"webservice DynamoDB requests by operation: {string.Join(", ", operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"))}"))
            .ConfigureAwait(false);
        return requests > 0 ? 0 : 1;
    }

    /// <summary>The duration SECONDS names, or the default.</summary>
    public static TimeSpan Duration(string[] args) =>
        args.Length > 1 && double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(120);
}
