using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions.Recorder;

/// <summary>
/// The recorder Lambda: EventBridge delivers each failure event here; it is stored once and may open the circuit.
/// Each service id's failure is recorded with its route's settings. An event it cannot read is the sender's error,
/// which no retry would mend: it is acknowledged (the invocation succeeds), nothing is stored, and one warning line
/// says which event and why, carrying the <see cref="CircuitMetrics.FailureEventsRejected"/> count. A batch (a JSON
/// array of events) is taken event by event, so its good events count whatever the others hold.
/// </summary>
internal sealed class RecorderHandler(FailureRecorders recorders, FunctionLog log, string? metricsNamespace = null) : IInvocationHandler
{
    /// <summary>The warning logged, once, for an event the recorder cannot read and acknowledges without storing it.</summary>
    internal const string RejectedMessage = "failure event rejected";

    /// <summary>
    /// The <see cref="CircuitMetrics.ServiceIdDimension"/> of a rejected event without a valid service id. Parentheses
    /// are not allowed in a service id, so it cannot be taken for a circuit's.
    /// </summary>
    internal const string UnreadableServiceId = "(unreadable)";

    // How much of a sender's value a message quotes: enough to recognise it, never a whole huge field.
    private const int QuotedLength = 64;

    // How much of a reason the warning carries (a serializer's message names the path and position, not the value).
    private const int ReasonLength = 512;

    private readonly string _metricsNamespace = metricsNamespace ?? CircuitSettingKeys.MetricsNamespace.DefaultValue!;

    /// <summary>Records every service id's failures with one recorder's settings.</summary>
    public RecorderHandler(FailureRecorder recorder, FunctionLog log, string? metricsNamespace = null)
        : this(FailureRecorders.ForEveryService(recorder), log, metricsNamespace)
    {
    }

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        if (!IsBatch(invocation.Payload))
        {
            var response = await HandleEventAsync(invocation, invocation.Payload, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.SerializeToUtf8Bytes(response, EventJsonContext.Default.RecorderResponse);
        }

        // A rule target hands over one event per invocation (the matched event itself), but a batching target hands
        // over a JSON array: each event is recorded or rejected on its own, so the good ones count whatever the others
        // hold. A store fault still fails the whole invocation, and its retry stores each event once (by its id).
        JsonElement[] events;
        try
        {
            using var batch = JsonDocument.Parse(invocation.Payload);
            events = [.. batch.RootElement.EnumerateArray().Select(element => element.Clone())];
        }
        catch (JsonException error)
        {
            return JsonSerializer.SerializeToUtf8Bytes(
                Reject(invocation, invocation.Payload, $"The batch of events is not valid JSON: {error.Message}"),
                EventJsonContext.Default.RecorderResponse);
        }

        var responses = new List<RecorderResponse>(events.Length);
        foreach (var element in events)
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(element, EventJsonContext.Default.JsonElement);
            responses.Add(await HandleEventAsync(invocation, payload, cancellationToken).ConfigureAwait(false));
        }

        return JsonSerializer.SerializeToUtf8Bytes(responses, EventJsonContext.Default.ListRecorderResponse);
    }

    private async Task<RecorderResponse> HandleEventAsync(LambdaInvocation invocation, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        string eventId;
        FailureEventDetail failure;
        DateTimeOffset? eventTime;
        try
        {
            (eventId, failure, eventTime) = ReadEvent(payload);
        }
        catch (InvalidEventException invalid)
        {
            return Reject(invocation, payload, invalid.Message);
        }

        var outcome = await recorders.For(failure.ServiceId, invocation.RequestId).RecordAsync(eventId, failure, eventTime, cancellationToken).ConfigureAwait(false);

        // The count is written for duplicates too (as 0), so that every event's line has the same metrics.
        var metrics = new EmbeddedMetrics(_metricsNamespace, failure.ServiceId).Count(CircuitMetrics.FailuresRecorded, outcome.Stored ? 1 : 0);
        if (outcome.Opened)
        {
            metrics.Count(CircuitMetrics.CircuitOpened);
        }

        log.Info(
            outcome.Stored ? "failure recorded" : "duplicate failure event ignored",
            new LogScope(invocation.RequestId, failure.ServiceId),
            metrics,
            ("eventId", eventId),
            ("failedRequestId", failure.RequestId),
            ("reason", failure.Reason),
            ("failuresInWindow", outcome.FailuresInWindow),
            ("callsInWindow", outcome.CallsInWindow),
            ("opened", outcome.Opened));
        return new RecorderResponse(eventId, outcome.Stored, outcome.FailuresInWindow, outcome.Opened);
    }

    /// <summary>Reads and validates the envelope; every problem is an <see cref="InvalidEventException"/>.</summary>
    internal static (string EventId, FailureEventDetail Failure) Read(ReadOnlyMemory<byte> payload)
    {
        var (eventId, failure, _) = ReadEvent(payload);
        return (eventId, failure);
    }

    /// <summary>As <see cref="Read"/>, with the envelope's <c>time</c> (when EventBridge received the event), if any.</summary>
    internal static (string EventId, FailureEventDetail Failure, DateTimeOffset? EventTime) ReadEvent(ReadOnlyMemory<byte> payload)
    {
        FailureEventEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(payload.Span, EventJsonContext.Default.FailureEventEnvelope);
        }
        catch (JsonException error)
        {
            throw new InvalidEventException($"The event is not valid JSON for an EventBridge envelope: {error.Message}", error);
        }

        if (envelope is null)
        {
            throw new InvalidEventException("The event is null.");
        }

        if (string.IsNullOrWhiteSpace(envelope.Id))
        {
            throw new InvalidEventException("The event has no 'id'.");
        }

        if (envelope.Source != FailureEvents.Source || envelope.DetailType != FailureEvents.DetailType)
        {
            throw new InvalidEventException(
                $"The event is not a failure event: source {Quote(envelope.Source)}, detail-type {Quote(envelope.DetailType)}; "
                + $"expected '{FailureEvents.Source}', '{FailureEvents.DetailType}'.");
        }

        var detail = envelope.Detail ?? throw new InvalidEventException("The event has no 'detail'.");
        if (detail.ServiceId is null || !CircuitSettingsReader.IsValidServiceId(detail.ServiceId))
        {
            throw new InvalidEventException($"The event's detail.serviceId {Quote(detail.ServiceId)} is not a valid service id.");
        }

        if (detail.FailedAtEpochMilliseconds is not { } failedAt)
        {
            // Any number is a date (FailureTime clamps it); only a missing one is no date at all.
            throw new InvalidEventException("The event's detail.failedAtEpochMs is missing.");
        }

        if (!FailureReasons.IsKnown(detail.Reason))
        {
            throw new InvalidEventException($"The event's detail.reason {Quote(detail.Reason)} is not one of the failure reasons.");
        }

        if (detail.RetryAfterMilliseconds is < 0)
        {
            throw new InvalidEventException($"The event's detail.retryAfterMs {detail.RetryAfterMilliseconds} is negative.");
        }

        var failure = FailureReports.AsSent(
            detail.ServiceId, failedAt, detail.Reason!, detail.StatusCode, detail.RequestId ?? string.Empty, detail.ElapsedMilliseconds ?? 0, detail.RetryAfterMilliseconds);
        return (envelope.Id, failure, envelope.Time);
    }

    // One warning line with the rejected count; the answer acknowledges the event, so neither Lambda nor
    // EventBridge retries it and it never reaches a dead-letter queue.
    private RecorderResponse Reject(LambdaInvocation invocation, ReadOnlyMemory<byte> payload, string reason)
    {
        var (eventId, serviceId) = RejectedEventIdentity.Peek(payload);
        eventId = eventId is null ? null : Cap(eventId, QuotedLength);
        var validServiceId = serviceId is not null && CircuitSettingsReader.IsValidServiceId(serviceId) ? serviceId : null;
        var cappedReason = Cap(reason, ReasonLength);
        log.Write(
            LogLevel.Warn,
            RejectedMessage,
            new LogScope(invocation.RequestId, validServiceId),
            new EmbeddedMetrics(_metricsNamespace, validServiceId ?? UnreadableServiceId).Count(CircuitMetrics.FailureEventsRejected),
            ("eventId", eventId),
            ("reason", cappedReason));
        return new RecorderResponse(eventId, Stored: false, FailuresInWindow: null, Opened: false, Rejected: cappedReason);
    }

    // A JSON array, by its first significant byte; anything else is read as one event (and rejected if it is none).
    private static bool IsBatch(ReadOnlyMemory<byte> payload)
    {
        foreach (var b in payload.Span)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b == (byte)'[';
        }

        return false;
    }

    private static string Quote(string? value) => value is null ? "(missing)" : $"'{Cap(value, QuotedLength)}'";

    private static string Cap(string value, int length) =>
        value.Length <= length ? value : $"{value[..length]}… ({value.Length} characters)";
}
