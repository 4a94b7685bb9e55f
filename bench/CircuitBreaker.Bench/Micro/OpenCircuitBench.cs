using System.Diagnostics;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// Fast-fail cost and open-circuit throughput. The circuit is opened by real failures (the downstream hangs),
/// with window and open period long enough that it stays open while measuring.
/// </summary>
internal static class OpenCircuitBench
{
    public static StackSettings SettingsFrom(StackSettings scaled) =>
        scaled with { Window = TimeSpan.FromMinutes(10), OpenDuration = TimeSpan.FromMinutes(10) };

    /// <summary>Sends failing requests until the stored state says open; returns the failing calls' handler times.</summary>
    public static async Task<IReadOnlyList<double>> OpenAsync(BenchStack stack, TextWriter progress, CancellationToken cancellationToken)
    {
        stack.Downstream.Mode = DownstreamMode.Hanging;
        stack.ResetCounters();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri(stack.Api.BaseAddress, "/bench");
        for (var attempt = 0; attempt < 40; attempt++)
        {
            await Task.WhenAll(Enumerable.Range(0, stack.Services.Settings.FailureThreshold).Select(_ => client.GetAsync(url, cancellationToken))).ConfigureAwait(false);
            await stack.Events.DrainAsync().ConfigureAwait(false);
            if (await stack.ReadStateAsync(cancellationToken).ConfigureAwait(false) == "open")
            {
                var failing = stack.Timings.Snapshot()
                    .Where(t => t.Function == HandlerNames.Webservice)
                    .Select(t => t.Duration.TotalMilliseconds)
                    .ToList();
                await progress.WriteLineAsync($"  [{stack.Variant.Name}] circuit open after {failing.Count} failing calls").ConfigureAwait(false);
                return failing;
            }
        }

        throw new InvalidOperationException($"The {stack.Variant.Name} circuit did not open.");
    }

    /// <summary>Handler time of direct invocations, on one warm instance or on a fresh instance each time.</summary>
    public static async Task<FastFailResult> HandlerTimesAsync(
        BenchStack stack, string path, bool freshInstanceEachTime, int samples, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(stack.Services.Settings.WebserviceTimeoutSeconds);
        var warm = stack.Variant.CreateWebservice(stack.Services, stack.Events);
        await warm.HandleAsync(HttpApiEvents.Invocation("warm", timeout, stack.Services.Time), cancellationToken).ConfigureAwait(false);
        stack.WebserviceDynamoDb.Reset();
        var durations = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var handler = freshInstanceEachTime ? stack.Variant.CreateWebservice(stack.Services, stack.Events) : warm;
            var invocation = HttpApiEvents.Invocation("ff-" + i, timeout, stack.Services.Time);
            var started = Stopwatch.GetTimestamp();
            await handler.HandleAsync(invocation, cancellationToken).ConfigureAwait(false);
            durations.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return new FastFailResult(
            path,
            samples,
            Percentiles.Of(durations, 50),
            Percentiles.Of(durations, 99),
            double.NaN,
            double.NaN,
            stack.WebserviceDynamoDb.Reads / (double)samples);
    }

    /// <summary>Client latency of sequential requests through the HTTP API to the open circuit.</summary>
    public static async Task<(double P50, double P99)> EndToEndAsync(Uri url, int samples, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new List<double>(samples);
        for (var i = 0; i < samples + 20; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (i >= 20)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return (Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99));
    }

    /// <summary>Closed-loop saturation of the open circuit through the HTTP API: requests/s and CPU per request.</summary>
    public static async Task<ThroughputResult> SaturateAsync(
        BenchStack stack, int concurrency, TimeSpan duration, int dynaliteProcessId, CancellationToken cancellationToken)
    {
        var url = new Uri(stack.Api.BaseAddress, "/bench");
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        using var dynalite = Process.GetProcessById(dynaliteProcessId);
        var self = Process.GetCurrentProcess();
        self.Refresh();
        dynalite.Refresh();
        var cpuBefore = self.TotalProcessorTime;
        var dynaliteBefore = dynalite.TotalProcessorTime;
        long requests = 0;
        long fastFails = 0;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref requests);
                if (RequestSample.OutcomeOf((int)response.StatusCode) == Outcome.FailedFast)
                {
                    Interlocked.Increment(ref fastFails);
                }
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        self.Refresh();
        dynalite.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var dynaliteCpu = dynalite.TotalProcessorTime - dynaliteBefore;
        return new ThroughputResult(
            stack.Variant.Name,
            concurrency,
            elapsed,
            requests,
            requests / elapsed.TotalSeconds,
            cpu.TotalMicroseconds / requests,
            dynaliteCpu.TotalMicroseconds / requests,
            fastFails / (double)Math.Max(1, requests));
    }
}
