using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Identity;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Cli;

/// <summary>
/// Publishes an operator's state change on the breaker's bus through the functions' own PutEvents client,
/// so that the same rules (pager, Slack, the stack's topic) hear of manual actions too.
/// </summary>
internal sealed class StateChangeNotifier : IDisposable
{
    private readonly StringWriter _logLines = new();
    private readonly PutEventsClient _client;

    /// <summary>Publishes on <paramref name="busName"/> at <paramref name="endpoint"/>, signing for <paramref name="region"/>.</summary>
    public StateChangeNotifier(string busName, Uri endpoint, string region, IIdentityResolver<AWSCredentials> credentials, TimeProvider time)
    {
        BusName = busName;
        _client = AwsClientFactory.PutEvents(endpoint, region, busName, credentials, time, new FunctionLog(_logLines, time, "circuitctl"));
    }

    /// <summary>The bus events go to.</summary>
    public string BusName { get; }

    /// <summary>
    /// Publishes <paramref name="detail"/>, trying for at most <paramref name="budget"/> (no client waits on it, so
    /// longer than the functions' 1 s); returns null when published, otherwise why not (one line).
    /// </summary>
    public async Task<string?> PublishAsync(CircuitStateChangeDetail detail, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(budget);
        if (await _client.PublishAsync(detail, limit.Token).ConfigureAwait(false))
        {
            return null;
        }

        return LastError() ?? "EventBridge did not accept it";
    }

    /// <summary>Publishes a replay request for the replayer (<see cref="DeferredReplays"/>), as <see cref="PublishAsync"/> does a state change.</summary>
    public async Task<string?> PublishReplayRequestAsync(DeferredReplayDetail detail, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(budget);
        var outgoing = new OutgoingEvent(StateChangeEvents.Source, DeferredReplays.DetailType, "Replay request", DateTimeOffset.UtcNow);
        if (await _client.PublishAsync(outgoing, detail, ContractJsonContext.Default.DeferredReplayDetail, new LogScope(detail.RequestId, detail.ServiceId), limit.Token).ConfigureAwait(false))
        {
            return null;
        }

        return LastError() ?? "EventBridge did not accept it";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client.Dispose();
        _logLines.Dispose();
    }

    // The client logs a lost event as one JSON line; its error code and message are what a person needs.
    private string? LastError()
    {
        var last = _logLines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (last is null)
        {
            return null;
        }

        try
        {
            using var line = JsonDocument.Parse(last);
            var root = line.RootElement;
            var code = root.TryGetProperty("errorCode", out var c) ? c.GetString() : null;
            var message = root.TryGetProperty("errorMessage", out var m) ? m.GetString() : null;
            return code is null ? message : $"{code}: {message}";
        }
        catch (JsonException)
        {
            return last;
        }
    }
}
