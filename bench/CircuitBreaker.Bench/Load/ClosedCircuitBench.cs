using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Bench.Load;

/// <summary>
/// The closed circuit's costs (issue 20): DynamoDB reads per request on N warm webservice instances at a request rate, one
/// circuit driven past its item's read limit, and the calls a fast-failing downstream still gets after the circuit opened.
/// Each warm instance is built from the webservice's environment as the local host builds one and invoked directly, one
/// request at a time as Lambda runs it, the fleet's rate spread evenly over the instances; its DynamoDB requests pass the
/// run's proxy (counted, and limited when the run has item limits). What each request did is read from the instance's own
/// "request handled" line: its status, its time, the downstream's time, and the circuit state it was decided on.
/// </summary>
internal static class ClosedCircuitBench
{
    /// <summary>Reads per request on <paramref name="instances"/> warm instances at <paramref name="rate"/> for <paramref name="duration"/>, downstream healthy.</summary>
    public static async Task<FleetRun> DriveAsync(
        MeasuredLocalSystem system, int instances, double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var fleet = await Fleet.WarmAsync(system, instances, cancellationToken).ConfigureAwait(false);
        system.WebserviceDynamoDb.Reset();
        var requests = await fleet.DriveAsync(rate, duration, null, cancellationToken).ConfigureAwait(false);
        return FleetRun.Of(system, instances, rate, requests);
    }

    /// <summary>
    /// A downstream that starts answering 500 at once after <paramref name="healthyFor"/>: the requests that still reached it
    /// after the stored circuit opened (its <c>changedAt</c>), per warm instance.
    /// </summary>
    public static async Task<FastFailingRun> FastFailingAsync(
        MeasuredLocalSystem system, int instances, double rate, TimeSpan healthyFor, TimeSpan failingFor, CancellationToken cancellationToken)
    {
        using var fleet = await Fleet.WarmAsync(system, instances, cancellationToken).ConfigureAwait(false);
        system.WebserviceDynamoDb.Reset();
        var requests = await fleet.DriveAsync(
            rate,
            healthyFor + failingFor,
            elapsed => { if (elapsed >= healthyFor) { system.SwitchDownstreamTo(SimulatorMode.Fail); } },
            cancellationToken).ConfigureAwait(false);
        system.SwitchDownstreamTo(SimulatorMode.Ok);
        await system.DrainEventsAsync(cancellationToken).ConfigureAwait(false);
        var openedAt = await system.StateChangedAtAsync(cancellationToken).ConfigureAwait(false);
        var failedCalls = requests.Count(r => r.CalledDownstream && r.Status >= 500);
        var after = openedAt is { } opened ? requests.Count(r => r.CalledDownstream && r.StartedAt > opened) : -1;
        return new FastFailingRun(instances, rate, requests.Count, failedCalls, after, after < 0 ? double.NaN : after / (double)instances, system.WebserviceDynamoDb.Reads);
    }

    /// <summary>One request of a driven fleet, as its instance's line says.</summary>
    internal sealed record DrivenRequest(DateTimeOffset StartedAt, int Status, double DurationMs, double? DownstreamMs, string? CircuitState, bool Throttled)
    {
        public bool CalledDownstream => DownstreamMs is not null;

        /// <summary>The breaker's share of the request: its time less the downstream call's.</summary>
        public double OverheadMs => DurationMs - (DownstreamMs ?? 0);
    }

    // Warm instances, each with the tap its lines go to.
    private sealed class Fleet : IDisposable
    {
        private readonly List<(FunctionInstance Instance, LastLineTap Log)> _members = [];
        private int _sequence;

        public static async Task<Fleet> WarmAsync(MeasuredLocalSystem system, int instances, CancellationToken cancellationToken)
        {
            // The local host records the webservice's environment when its first instance starts.
            using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            {
                using var first = await client.GetAsync(new Uri(system.ApiBaseAddress, "/bench"), cancellationToken).ConfigureAwait(false);
            }

            var fleet = new Fleet();
            for (var i = 0; i < instances; i++)
            {
                var tap = new LastLineTap();
                fleet._members.Add((system.NewWebserviceInstance(tap), tap));
            }

            // Warm: each instance has served one request (its clients connected, its first read made).
            foreach (var member in fleet._members)
            {
                await fleet.InvokeAsync(member, system, cancellationToken).ConfigureAwait(false);
            }

            fleet._system = system;
            return fleet;
        }

        private MeasuredLocalSystem _system = null!;

        public async Task<IReadOnlyList<DrivenRequest>> DriveAsync(double rate, TimeSpan duration, Action<TimeSpan>? onTick, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var perInstance = rate / _members.Count;
            var loops = _members.Select((member, index) => Task.Run(async () =>
            {
                var done = new List<DrivenRequest>();
                for (var n = 0; ; n++)
                {
                    // Spread evenly: instance k's n-th request at (k / count + n) / per-instance rate.
                    var due = TimeSpan.FromSeconds(((double)index / _members.Count + n) / perInstance);
                    if (due >= duration)
                    {
                        return done;
                    }

                    var wait = due - Stopwatch.GetElapsedTime(started);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    }

                    onTick?.Invoke(Stopwatch.GetElapsedTime(started));
                    done.Add(await InvokeAsync(member, _system, cancellationToken).ConfigureAwait(false));
                }
            }, cancellationToken));
            var all = await Task.WhenAll(loops).ConfigureAwait(false);
            return [.. all.SelectMany(r => r)];
        }

        public void Dispose()
        {
            foreach (var (instance, _) in _members)
            {
                instance.Dispose();
            }
        }

        private async Task<DrivenRequest> InvokeAsync((FunctionInstance Instance, LastLineTap Log) member, MeasuredLocalSystem system, CancellationToken cancellationToken)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var id = "closed-" + Interlocked.Increment(ref _sequence);
            var timeout = TimeSpan.FromSeconds(system.Settings.WebserviceTimeoutSeconds);
            await member.Instance.Handler.HandleAsync(LocalGatewayEvents.Invocation(id, timeout, TimeProvider.System), cancellationToken).ConfigureAwait(false);
            using var line = JsonDocument.Parse(member.Log.LastHandled ?? throw new InvalidOperationException("The instance wrote no 'request handled' line."));
            var root = line.RootElement;
            return new DrivenRequest(
                startedAt,
                root.GetProperty("status").GetInt32(),
                root.GetProperty("durationMs").GetDouble(),
                root.TryGetProperty("downstreamMs", out var downstream) && downstream.ValueKind == JsonValueKind.Number ? downstream.GetDouble() : null,
                root.TryGetProperty("circuitState", out var state) ? state.GetString() : null,
                root.TryGetProperty("StateReadsThrottled", out _));
        }
    }

    // Keeps the instance's last "request handled" line: an instance serves one request at a time.
    private sealed class LastLineTap : TextWriter
    {
        private readonly StringBuilder _line = new();

        public string? LastHandled { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                var text = _line.ToString();
                _line.Clear();
                if (text.Contains("\"message\":\"request handled\"", StringComparison.Ordinal))
                {
                    LastHandled = text;
                }
            }
            else
            {
                _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? string.Empty)
            {
                Write(c);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            for (var i = index; i < index + count; i++)
            {
                Write(buffer[i]);
            }
        }
    }
}

/// <summary>What a driven fleet of warm instances did.</summary>
internal sealed record FleetRun(
    int Instances,
    double Rate,
    int Requests,
    double SecondsDriven,
    int GetItems,
    int ThrottledGetItems,
    int Relayed,
    int WithoutBreaker,
    int StateReadsThrottled,
    int SlowedPast10Ms,
    double OverheadP50Ms,
    double OverheadP99Ms,
    double OverheadMaxMs)
{
    public double ReadsPerRequest => Requests == 0 ? double.NaN : GetItems / (double)Requests;

    public double AchievedRate => Requests / SecondsDriven;

    public static FleetRun Of(MeasuredLocalSystem system, int instances, double rate, IReadOnlyList<ClosedCircuitBench.DrivenRequest> requests)
    {
        var overheads = requests.Select(r => r.OverheadMs).ToList();
        var seconds = requests.Count == 0 ? 1 : (requests.Max(r => r.StartedAt) - requests.Min(r => r.StartedAt)).TotalSeconds + 1 / rate;
        var snapshot = system.WebserviceDynamoDb.Snapshot();
        var throttled = system.WebserviceDynamoDb.ThrottledSnapshot();
        return new FleetRun(
            instances,
            rate,
            requests.Count,
            seconds,
            snapshot.GetValueOrDefault("GetItem"),
            throttled.GetValueOrDefault("GetItem"),
            requests.Count(r => r.Status is >= 200 and < 300),
            requests.Count(r => r.CalledDownstream && r.CircuitState == "unknown"),
            requests.Count(r => r.Throttled),
            requests.Count(r => r.OverheadMs > 10),
            Percentiles.Of(overheads, 50),
            Percentiles.Of(overheads, 99),
            overheads.Count == 0 ? double.NaN : overheads.Max());
    }
}

/// <summary>What a fast-failing downstream cost after the circuit opened.</summary>
internal sealed record FastFailingRun(int Instances, double Rate, int Requests, int FailedCalls, int CallsAfterOpened, double CallsAfterOpenedPerInstance, int GetItems);
