using System.Collections.Concurrent;
using System.Diagnostics;

namespace CircuitBreaker.Bench.Load;

/// <summary>Drives a <see cref="LoadPlan"/> against a URL and records every request.</summary>
internal sealed class LoadDriver(Uri target, LoadPlan plan)
{
    private readonly ConcurrentQueue<RequestSample> _samples = new();
    private int _inFlight;
    private int _shed;

    public int Shed => Volatile.Read(ref _shed);

    public IReadOnlyList<RequestSample> Samples => [.. _samples];

    /// <summary>Runs the plan; <paramref name="runStarted"/> is the Stopwatch timestamp all times are measured from.</summary>
    public async Task RunAsync(long runStarted, TimeSpan offset, CancellationToken cancellationToken)
    {
        var clients = Enumerable.Range(0, plan.Clients)
            .Select(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { Timeout = plan.ClientTimeout })
            .ToArray();
        var requests = new List<Task>(plan.TotalRequests);
        try
        {
            for (var i = 0; i < plan.TotalRequests && !cancellationToken.IsCancellationRequested; i++)
            {
                var due = offset + plan.DueAt(i);
                var wait = due - Stopwatch.GetElapsedTime(runStarted);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                if (Interlocked.Increment(ref _inFlight) > plan.MaxInFlight)
                {
                    Interlocked.Decrement(ref _inFlight);
                    Interlocked.Increment(ref _shed);
                    continue;
                }

                requests.Add(SendAsync(clients[i % clients.Length], due, runStarted));
            }

            await Task.WhenAll(requests).ConfigureAwait(false);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task SendAsync(HttpClient client, TimeSpan due, long runStarted)
    {
        await Task.Yield();
        var sent = Stopwatch.GetElapsedTime(runStarted);
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            using var response = await client.GetAsync(target).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or IOException)
        {
            // No answer within the client's timeout, or the connection broke: recorded as status 0.
        }
        finally
        {
            _samples.Enqueue(new RequestSample(due, sent, Stopwatch.GetElapsedTime(started), status));
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
