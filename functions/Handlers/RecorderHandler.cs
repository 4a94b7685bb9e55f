using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions.Handlers;

/// <summary>
/// The recorder Lambda: EventBridge delivers each failure event here; it is stored once and may open the circuit.
/// An event it cannot read is rejected as an invocation error and nothing is stored. Each service id's failure is
/// recorded with its route's settings.
/// </summary>
internal sealed class RecorderHandler(FailureRecorders recorders, FunctionLog log, string? metricsNamespace = null) : IInvocationHandler
{
    /// <summary>Records every service id's failures with one recorder's settings.</summary>
    public RecorderHandler(FailureRecorder recorder, FunctionLog log, string? metricsNamespace = null)
        : this(FailureRecorders.Single(recorder), log, metricsNamespace)
    {
    }

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var (eventId, failure, eventTime) = ReadEvent(invocation.Payload);
        var outcome = await recorders.For(failure.ServiceId, invocation.RequestId).RecordAsync(eventId, failure, eventTime, cancellationToken).ConfigureAwait(false);

        // The count is written for duplicates too (as 0), so that every event's line has the same metrics.
        var metrics = new EmbeddedMetrics(metricsNamespace ?? CircuitSettingKeys.MetricsNamespace.DefaultValue!, failure.ServiceId).Count(CircuitMetrics.FailuresRecorded, outcome.Stored ? 1 : 0);
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
        return JsonSerializer.SerializeToUtf8Bytes(
            new RecorderResponse(eventId, outcome.Stored, outcome.FailuresInWindow, outcome.Opened),
            EventJsonContext.Default.RecorderResponse);
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
                $"The event is not a failure event: source '{envelope.Source}', detail-type '{envelope.DetailType}'; "
                + $"expected '{FailureEvents.Source}', '{FailureEvents.DetailType}'.");
        }

        var detail = envelope.Detail ?? throw new InvalidEventException("The event has no 'detail'.");
        if (detail.ServiceId is null || !CircuitSettingsReader.IsValidServiceId(detail.ServiceId))
        {
            throw new InvalidEventException($"The event's detail.serviceId '{detail.ServiceId}' is not a valid service id.");
        }

        if (detail.FailedAtEpochMilliseconds <= 0)
        {
            throw new InvalidEventException("The event's detail.failedAtEpochMs is missing or not positive.");
        }

        if (!FailureReasons.IsKnown(detail.Reason))
        {
            throw new InvalidEventException($"The event's detail.reason '{detail.Reason}' is not one of the failure reasons.");
        }

        return (envelope.Id, detail with { RequestId = detail.RequestId ?? string.Empty }, envelope.Time);
    }
}
