using System.Buffers;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Stack;

/// <summary>
/// EventBridge in process: an accepted event is delivered to the recorder asynchronously, after a delivery
/// delay, in its EventBridge envelope; a fraction of events is delivered twice (EventBridge delivers at least once).
/// </summary>
internal sealed class InProcessEventBus(
    FunctionInstancePool recorder,
    TimeSpan deliveryDelay,
    double redeliveryFraction,
    TimeProvider time) : IFailurePublisher
{
    private readonly Lock _pendingLock = new();
    private readonly List<Task> _pending = [];
    private long _published;
    private long _deliveries;
    private long _deliveryErrors;
    private long _sequence;

    public long Published => Interlocked.Read(ref _published);

    public long Deliveries => Interlocked.Read(ref _deliveries);

    public long DeliveryErrors => Interlocked.Read(ref _deliveryErrors);

    // Accepting the event is all the publisher waits for; delivery outlives the publishing request, as on AWS.
    public Task<bool> PublishAsync(FailureEventDetail detail, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _published);
        var eventId = Guid.NewGuid().ToString();
        var envelope = Envelope(eventId, detail);
        var sequence = Interlocked.Increment(ref _sequence);
        var deliveries = redeliveryFraction > 0 && (sequence * 7919 % 1000) < redeliveryFraction * 1000 ? 2 : 1;
        var delivery = Task.Run(async () =>
        {
            for (var i = 0; i < deliveries; i++)
            {
                await Task.Delay(deliveryDelay, time).ConfigureAwait(false);
                await DeliverAsync(eventId, envelope).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        lock (_pendingLock)
        {
            _pending.RemoveAll(task => task.IsCompleted);
            _pending.Add(delivery);
        }

        return Task.FromResult(true);
    }

    public async Task DrainAsync()
    {
        Task[] pending;
        lock (_pendingLock)
        {
            pending = [.. _pending];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task DeliverAsync(string eventId, byte[] envelope)
    {
        Interlocked.Increment(ref _deliveries);
        try
        {
            var invocation = new LambdaInvocation(eventId + "-" + Interlocked.Read(ref _deliveries), time.GetUtcNow().AddSeconds(10), null, null, envelope);
            await recorder.InvokeAsync(invocation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _deliveryErrors);
        }
    }

    private byte[] Envelope(string eventId, FailureEventDetail detail)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "0");
            json.WriteString("id", eventId);
            json.WriteString("detail-type", FailureEvents.DetailType);
            json.WriteString("source", FailureEvents.Source);
            json.WriteString("account", "000000000000");
            json.WriteString("time", time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("region", DynamoDbClients.Region);
            json.WriteStartArray("resources");
            json.WriteEndArray();
            json.WritePropertyName("detail");
            JsonSerializer.Serialize(json, detail, ContractJsonContext.Default.FailureEventDetail);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
