using System.Diagnostics;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// Fast-fail cost and open-circuit throughput, on the local host's system. The circuit is opened by real failures
/// (the simulator hangs), with window and open period long enough that it stays open while measuring.
/// </summary>
internal static class OpenCircuitBench
{
    public static StackSettings SettingsFrom(StackSettings scaled) =>
        scaled with { Window = TimeSpan.FromMinutes(10), OpenDuration = TimeSpan.FromMinutes(10) };

    /// <summary>Sends failing requests through the HTTP API until the stored state says open; returns the failing calls' handler times.</summary>
    public static async Task<IReadOnlyList<double>> OpenAsync(MeasuredLocalSystem system, TextWriter progress, CancellationToken cancellationToken)
    {
        system.SetDownstreamFault(DownstreamFault.Hang);
        system.ResetCounters();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri(system.ApiBaseAddress, "/bench");
        for (var attempt = 0; attempt < 40; attempt++)
        {
            await Task.WhenAll(Enumerable.Range(0, system.Settings.Policy.FailureThreshold).Select(_ => client.GetAsync(url, cancellationToken))).ConfigureAwait(false);
            await system.DrainEventsAsync(cancellationToken).ConfigureAwait(false);
            if (await system.ReadStateAsync(cancellationToken).ConfigureAwait(false) == "open")
            {
                var failing = system.Timings.Snapshot()
                    .Where(t => t.Function == HandlerNames.Webservice)
                    .Select(t => t.Duration.TotalMilliseconds)
                    .ToList();
                await progress.WriteLineAsync($"  [{system.Variant.Name}] circuit open after {failing.Count} failing calls").ConfigureAwait(false);
                return failing;
            }
        }

        throw new InvalidOperationException($"The {system.Variant.Name} circuit did not open.");
    }

    /// <summary>
    /// DynamoDB reads per direct invocation (no HTTP), on one warm instance or on a new instance each time, counted by
    /// the proxy in front of dynalite. Instances are built from the webservice's environment as the local host's are.
    /// The handler's time is BenchmarkDotNet's to measure (<see cref="Benchmarks.FastFailBenchmarks"/>).
    /// </summary>
    public static async Task<FastFailResult> ReadsPerRequestAsync(
        MeasuredLocalSystem system, string path, bool newInstanceEachTime, int samples, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var timeout = TimeSpan.FromSeconds(system.Settings.WebserviceTimeoutSeconds);
        using var warm = system.NewWebserviceInstance();
        await warm.Handler.HandleAsync(LocalGatewayEvents.Invocation("warm", timeout, time), cancellationToken).ConfigureAwait(false);
        system.WebserviceDynamoDb.Reset();
        for (var i = 0; i < samples; i++)
        {
            using var fresh = newInstanceEachTime ? system.NewWebserviceInstance() : null;
            var handler = (fresh ?? warm).Handler;
            await handler.HandleAsync(LocalGatewayEvents.Invocation("ff-" + i, timeout, time), cancellationToken).ConfigureAwait(false);
        }

        return new FastFailResult(
            path,
            samples,
            double.NaN,
            double.NaN,
            double.NaN,
            double.NaN,
            system.WebserviceDynamoDb.Reads / (double)samples);
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
        MeasuredLocalSystem system, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var url = new Uri(system.ApiBaseAddress, "/bench");
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        using var dynalite = Process.GetProcessById(system.DynaliteProcessId);
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
            system.Variant.Name,
            concurrency,
            elapsed,
            requests,
            requests / elapsed.TotalSeconds,
            cpu.TotalMicroseconds / requests,
            dynaliteCpu.TotalMicroseconds / requests,
            fastFails / (double)Math.Max(1, requests));
    }
}
