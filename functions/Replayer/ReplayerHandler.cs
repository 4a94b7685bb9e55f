using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions.Replayer;

/// <summary>
/// The replayer Lambda: invoked by its rule with a state change to <c>closed</c> (or a replay request, see
/// <see cref="DeferredReplays"/>), it replays that circuit's deferred requests (<see cref="DeferredReplay"/>). When the
/// invocation's time runs short it puts a replay request on the bus, so that the next invocation resumes where it
/// stopped; an open circuit stops the replay until the next close.
/// </summary>
internal sealed class ReplayerHandler : IInvocationHandler
{
    private readonly Dictionary<string, DeferredReplay> _replays;
    private readonly Func<DeferredReplayDetail, CancellationToken, Task<bool>> _resume;
    private readonly FunctionLog _log;
    private readonly string _metricsNamespace;

    /// <summary>The replayer of <paramref name="replays"/>, one per route; <paramref name="resume"/> puts a replay request on the bus.</summary>
    public ReplayerHandler(
        IEnumerable<DeferredReplay> replays, Func<DeferredReplayDetail, CancellationToken, Task<bool>> resume, FunctionLog log, string metricsNamespace)
    {
        _replays = replays.GroupBy(replay => replay.ServiceId, StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
        _resume = resume;
        _log = log;
        _metricsNamespace = metricsNamespace;
    }

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var (serviceId, to) = Read(invocation.Payload.Span);
        if (serviceId is null || to != CircuitStateNames.Closed)
        {
            _log.Warn("replayer event ignored: not a close of a circuit", new LogScope(invocation.RequestId), ("serviceId", serviceId), ("to", to));
            return Result(new ReplaySummary(serviceId ?? string.Empty) { Stopped = "ignored" });
        }

        if (!_replays.TryGetValue(serviceId, out var replay))
        {
            _log.Warn("replayer event ignored: no route has this circuit", new LogScope(invocation.RequestId, serviceId));
            return Result(new ReplaySummary(serviceId) { Stopped = "no-route" });
        }

        var metrics = new EmbeddedMetrics(_metricsNamespace, serviceId);
        var summary = await replay.RunAsync(invocation, metrics, cancellationToken).ConfigureAwait(false);
        if (summary.Stopped == ReplayStop.TimeBudget)
        {
            // The rest is asked for at once rather than left for the next close, which may never come.
            var resumed = await _resume(new DeferredReplayDetail(serviceId, CircuitStateNames.Closed, "resume after the replayer's time budget", invocation.RequestId), CancellationToken.None)
                .ConfigureAwait(false);
            if (!resumed)
            {
                _log.Warn("replay resume event not published: the rest waits for the next close or circuitctl deferred replay", new LogScope(invocation.RequestId, serviceId));
            }
        }

        _log.Info(
            "replay finished",
            new LogScope(invocation.RequestId, serviceId),
            metrics,
            ("replayed", summary.Replayed),
            ("failed", summary.Failed),
            ("deadLettered", summary.DeadLettered),
            ("stopped", summary.Stopped));
        return Result(summary);
    }

    private static (string? ServiceId, string? To) Read(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            string? Text(string name) => detail.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return (Text("serviceId"), Text("to"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static ReadOnlyMemory<byte> Result(ReplaySummary summary)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("serviceId", summary.ServiceId);
            json.WriteNumber("replayed", summary.Replayed);
            json.WriteNumber("failed", summary.Failed);
            json.WriteNumber("deadLettered", summary.DeadLettered);
            json.WriteString("stopped", summary.Stopped);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
