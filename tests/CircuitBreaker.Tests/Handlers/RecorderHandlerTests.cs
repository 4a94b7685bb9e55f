using System.Text.Json;
using System.Text.Json.Nodes;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Functions.Handlers;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Handlers;

public sealed class RecorderHandlerTests
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly InMemoryCircuitStore _store = new();
    private readonly CircuitSettings _settings = TestSettings.Circuit();

    private RecorderHandler NewHandler()
    {
        var log = new CapturedLog(_time, "recorder").Log;
        return new RecorderHandler(new FailureRecorder(_store, _settings, _time, log), log);
    }

    private JsonObject Envelope(string id = "evt-1") => new()
    {
        ["version"] = "0",
        ["id"] = id,
        ["detail-type"] = FailureEvents.DetailType,
        ["source"] = FailureEvents.Source,
        ["account"] = "123456789012",
        ["time"] = "2026-11-28T12:00:00Z",
        ["region"] = "eu-west-1",
        ["resources"] = new JsonArray(),
        ["detail"] = JsonSerializer.SerializeToNode(
            new FailureEventDetail(_settings.ServiceId, _time.GetUtcNow().ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "req-1", 10_000),
            ContractJsonContext.Default.FailureEventDetail),
    };

    private async Task<JsonElement> InvokeAsync(JsonObject envelope)
    {
        var response = await NewHandler().HandleAsync(Invocations.Of(envelope.ToJsonString(), _time), CancellationToken.None);
        return JsonDocument.Parse(response).RootElement.Clone();
    }

    [Fact]
    public async Task AFailureEventIsStoredUnderItsEventId()
    {
        var response = await InvokeAsync(Envelope("evt-42"));

        Assert.Equal("evt-42", response.GetProperty("eventId").GetString());
        Assert.True(response.GetProperty("stored").GetBoolean());
        var failure = Assert.Single(_store.Failures);
        Assert.Equal("evt-42", failure.EventId);
        Assert.Equal(_time.GetUtcNow(), failure.FailedAt);
        Assert.Equal(_time.GetUtcNow() + _settings.Window + FailureRecorder.ExpirySlack, failure.ExpiresAt);
    }

    [Fact]
    public async Task AFailureDatedAfterItsEventIsRecordedAtTheEventsTimeWithAWarning()
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings, _time, log.Log), log.Log);
        var envelope = Envelope("evt-forged");
        envelope["time"] = "2026-11-28T11:50:00Z";
        envelope["detail"]!["failedAtEpochMs"] = (_time.GetUtcNow() + TimeSpan.FromDays(7)).ToUnixTimeMilliseconds();

        await handler.HandleAsync(Invocations.Of(envelope.ToJsonString(), _time), CancellationToken.None);

        var failure = Assert.Single(_store.Failures);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 11, 50, 0, TimeSpan.Zero), failure.FailedAt);
        Assert.Equal("WARN", Assert.Single(log.WithMessage(FailureRecorder.FutureFailureMessage)).GetProperty("level").GetString());
    }

    [Fact]
    public async Task TheSameEventDeliveredTwiceIsStoredOnce()
    {
        await InvokeAsync(Envelope("evt-1"));

        var second = await InvokeAsync(Envelope("evt-1"));

        Assert.False(second.GetProperty("stored").GetBoolean());
        Assert.Single(_store.Failures);
    }

    [Fact]
    public async Task ASlowCallEventIsStoredWithItsReason()
    {
        var envelope = Envelope("evt-slow");
        envelope["detail"]!["reason"] = FailureReasons.Slow;

        var response = await InvokeAsync(envelope);

        Assert.True(response.GetProperty("stored").GetBoolean());
        Assert.Equal(FailureReasons.Slow, Assert.Single(_store.Failures).Reason);
    }

    [Fact]
    public async Task AFailureFromTheLibraryWithTheGenericReasonIsStored()
    {
        var envelope = Envelope("evt-exception");
        envelope["detail"]!["reason"] = FailureReasons.Exception;

        var response = await InvokeAsync(envelope);

        Assert.True(response.GetProperty("stored").GetBoolean());
        Assert.Equal(FailureReasons.Exception, Assert.Single(_store.Failures).Reason);
    }

    public static TheoryData<string, string> BadEvents => new()
    {
        { "malformed JSON", "{\"id\":" },
        { "no id", """{"source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":{"serviceId":"a","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}}""" },
        { "another source", """{"id":"e","source":"aws.ec2","detail-type":"Downstream call failed","detail":{"serviceId":"a","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}}""" },
        { "no detail", """{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed"}""" },
        { "bad service id", """{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":{"serviceId":"a b","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}}""" },
        { "no failure time", """{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":{"serviceId":"a","reason":"timeout","requestId":"r","elapsedMs":1}}""" },
        { "unknown reason", """{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":{"serviceId":"a","failedAtEpochMs":1,"reason":"bored","requestId":"r","elapsedMs":1}}""" },
        { "detail of the wrong type", """{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":"text"}""" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task AnEventThatCannotBeReadIsAnInvocationErrorAndStoresNothing(string why, string badEvent)
    {
        var error = await Assert.ThrowsAsync<InvalidEventException>(
            () => NewHandler().HandleAsync(Invocations.Of(badEvent, _time), CancellationToken.None));

        Assert.False(string.IsNullOrWhiteSpace(error.Message), why);
        Assert.Empty(_store.Failures);
    }
}
