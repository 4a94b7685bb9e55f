using System.Text.Json;
using System.Text.Json.Nodes;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Functions.Recorder;
using CircuitBreaker.Tests.Logging;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Handlers;

public sealed class RecorderHandlerTests
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly TestCircuitStore _store = new();
    private readonly CircuitSettings _settings = TestSettings.Circuit();

    private RecorderHandler NewHandler()
    {
        var log = new CapturedLog(_time, "recorder").Log;
        return new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log), log);
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
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.Window + FailureRecorder.ExpirySlack, failure.ExpiresAt);
    }

    [Fact]
    public async Task AFailureDatedAfterItsEventIsRecordedAtTheEventsTimeWithAWarning()
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log.Log), log.Log);
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

    private const string Good = """{"serviceId":"a","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}""";

    private static string WithDetail(string detail) =>
        $$"""{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":{{detail}}}""";

    /// <summary>Events the recorder cannot read: why, the event, and the event id the warning can still name (null when none).</summary>
    public static TheoryData<string, string, string?> BadEvents => new()
    {
        { "malformed JSON", "{\"id\":", null },
        { "not JSON at all", "hello", null },
        { "a JSON string", "\"text\"", null },
        { "a number", "42", null },
        { "JSON null", "null", null },
        { "no id", """{"source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":{"serviceId":"a","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}}""", null },
        { "another source", """{"id":"e","source":"aws.ec2","detail-type":"Downstream call failed","detail":{"serviceId":"a","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}}""", "e" },
        { "no detail", """{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed"}""", "e" },
        { "bad service id", WithDetail("""{"serviceId":"a b","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}"""), "e" },
        { "no service id", WithDetail("""{"failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}"""), "e" },
        { "service id of the wrong type", WithDetail("""{"serviceId":42,"failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":1}"""), "e" },
        { "no failure time", WithDetail("""{"serviceId":"a","reason":"timeout","requestId":"r","elapsedMs":1}"""), "e" },
        { "failure time of the wrong type", WithDetail("""{"serviceId":"a","failedAtEpochMs":"yesterday","reason":"timeout","requestId":"r","elapsedMs":1}"""), "e" },
        { "failure time null", WithDetail("""{"serviceId":"a","failedAtEpochMs":null,"reason":"timeout","requestId":"r","elapsedMs":1}"""), "e" },
        { "unknown reason", WithDetail("""{"serviceId":"a","failedAtEpochMs":1,"reason":"bored","requestId":"r","elapsedMs":1}"""), "e" },
        { "no reason", WithDetail("""{"serviceId":"a","failedAtEpochMs":1,"requestId":"r","elapsedMs":1}"""), "e" },
        { "status code of the wrong type", WithDetail("""{"serviceId":"a","failedAtEpochMs":1,"reason":"server-error","statusCode":"five hundred","requestId":"r","elapsedMs":1}"""), "e" },
        { "elapsed time of the wrong type", WithDetail("""{"serviceId":"a","failedAtEpochMs":1,"reason":"timeout","requestId":"r","elapsedMs":[]}"""), "e" },
        { "detail of the wrong type", WithDetail("\"text\""), "e" },
        { "event time of the wrong type", """{"id":"e","source":"circuit-breaker.webservice","detail-type":"Downstream call failed","time":12,"detail":""" + Good + "}", "e" },
        { "id of the wrong type", """{"id":7,"source":"circuit-breaker.webservice","detail-type":"Downstream call failed","detail":""" + Good + "}", null },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task AnEventThatCannotBeReadIsAcknowledgedWithOneWarningCountedAsRejectedAndStoresNothing(string why, string badEvent, string? eventId)
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log.Log), log.Log, "Team/Orders");

        var response = JsonDocument.Parse(await handler.HandleAsync(Invocations.Of(badEvent, _time), CancellationToken.None)).RootElement;

        Assert.False(response.GetProperty("stored").GetBoolean(), why);
        Assert.False(string.IsNullOrWhiteSpace(response.GetProperty("rejected").GetString()), why);
        Assert.Empty(_store.Failures);
        var line = Assert.Single(log.Lines);
        Assert.Equal("WARN", line.GetProperty("level").GetString());
        Assert.Equal(RecorderHandler.RejectedMessage, line.GetProperty("message").GetString());
        Assert.False(string.IsNullOrWhiteSpace(line.GetProperty("reason").GetString()), why);
        Assert.Equal(eventId, line.GetProperty("eventId").GetString());
        var metrics = EmbeddedMetricsShape.AssertValid(line, "Team/Orders", _time.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Equal(new Dictionary<string, double> { [CircuitMetrics.FailureEventsRejected] = 1 }, metrics);
    }

    [Theory]
    [InlineData("serviceId")]
    [InlineData("reason")]
    [InlineData("source")]
    [InlineData("id")]
    public async Task ARejectedEventsHugeFieldIsNotEchoedInFull(string field)
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log.Log), log.Log);
        var huge = new string('x', 200_000);
        var envelope = Envelope();
        if (field == "source" || field == "id")
        {
            envelope[field] = huge;
            if (field == "id")
            {
                envelope["detail"]!["reason"] = "bored";
            }
        }
        else
        {
            envelope["detail"]![field] = huge;
        }

        await handler.HandleAsync(Invocations.Of(envelope.ToJsonString(), _time), CancellationToken.None);

        var line = Assert.Single(log.Output.Lines);
        Assert.Contains(RecorderHandler.RejectedMessage, line, StringComparison.Ordinal);
        Assert.InRange(line.Length, 1, 2_000);
    }

    public static TheoryData<string> AbsurdFailureTimes => new()
    {
        long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "9000000000000000",
        "9e15",
        "9000000000000000.0",
        "1e300",
        "253402300800000",
    };

    [Theory]
    [MemberData(nameof(AbsurdFailureTimes))]
    public async Task AFailureDatedBeyondAnyRealDateCountsOnceAtTheRecordersNowWithTheSkewWarning(string failedAtEpochMs)
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log.Log), log.Log);
        var envelope = Envelope("evt-absurd").ToJsonString().Replace(
            $"\"failedAtEpochMs\":{_time.GetUtcNow().ToUnixTimeMilliseconds()}", $"\"failedAtEpochMs\":{failedAtEpochMs}", StringComparison.Ordinal);
        Assert.Contains(failedAtEpochMs, envelope, StringComparison.Ordinal);

        var first = JsonDocument.Parse(await handler.HandleAsync(Invocations.Of(envelope, _time), CancellationToken.None)).RootElement;
        var redelivery = JsonDocument.Parse(await handler.HandleAsync(Invocations.Of(envelope, _time), CancellationToken.None)).RootElement;

        Assert.True(first.GetProperty("stored").GetBoolean());
        Assert.False(redelivery.GetProperty("stored").GetBoolean());
        var failure = Assert.Single(_store.Failures);
        Assert.Equal(_time.GetUtcNow(), failure.FailedAt);
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.Window + FailureRecorder.ExpirySlack, failure.ExpiresAt);
        Assert.Equal(2, log.WithMessage(FailureRecorder.FutureFailureMessage).Count);
        Assert.All(log.WithMessage(FailureRecorder.FutureFailureMessage), line => Assert.Equal("WARN", line.GetProperty("level").GetString()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("-9223372036854775808")]
    [InlineData("-1e20")]
    public async Task AFailureDatedBeforeTheEpochCountsOnceAtTheRecordersNowWithAWarning(string failedAtEpochMs)
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log.Log), log.Log);
        var envelope = Envelope("evt-past").ToJsonString().Replace(
            $"\"failedAtEpochMs\":{_time.GetUtcNow().ToUnixTimeMilliseconds()}", $"\"failedAtEpochMs\":{failedAtEpochMs}", StringComparison.Ordinal);

        await handler.HandleAsync(Invocations.Of(envelope, _time), CancellationToken.None);
        await handler.HandleAsync(Invocations.Of(envelope, _time), CancellationToken.None);

        var failure = Assert.Single(_store.Failures);
        Assert.Equal(_time.GetUtcNow(), failure.FailedAt);
        Assert.All(log.WithMessage(FailureRecorder.ImpossibleDateMessage), line => Assert.Equal("WARN", line.GetProperty("level").GetString()));
        Assert.Equal(2, log.WithMessage(FailureRecorder.ImpossibleDateMessage).Count);
    }

    [Fact]
    public async Task AmongGoodAndBadEventsTheGoodOnesCountAndOpenTheCircuit()
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log.Log), log.Log);
        var bad = Envelope("evt-bad");
        bad["detail"]!["failedAtEpochMs"] = "yesterday";

        for (var good = 1; good <= _settings.Policy.FailureThreshold; good++)
        {
            await handler.HandleAsync(Invocations.Of(bad.ToJsonString(), _time), CancellationToken.None);
            await handler.HandleAsync(Invocations.Of(Envelope($"evt-good-{good}").ToJsonString(), _time), CancellationToken.None);
        }

        Assert.Equal(_settings.Policy.FailureThreshold, _store.Failures.Count);
        Assert.Equal(CircuitBreaker.Core.Store.CircuitStatus.Open, (await _store.GetAsync(_settings.ServiceId, CancellationToken.None)).Status);
        Assert.Equal(_settings.Policy.FailureThreshold, log.WithMessage(RecorderHandler.RejectedMessage).Count);
    }

    [Fact]
    public async Task ABatchOfEventsIsTakenEventByEventSoItsGoodEventsCount()
    {
        var log = new CapturedLog(_time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, _settings.Policy, _time, log.Log), log.Log);
        var bad = Envelope("evt-bad");
        bad["detail"]!["failedAtEpochMs"] = "yesterday";
        var batch = $"[{Envelope("evt-a").ToJsonString()}, {bad.ToJsonString()}, \"not an event\", {Envelope("evt-b").ToJsonString()}]";

        var response = JsonDocument.Parse(await handler.HandleAsync(Invocations.Of(batch, _time), CancellationToken.None)).RootElement;

        Assert.Equal(["evt-a", "evt-b"], _store.Failures.Select(failure => failure.EventId).Order());
        Assert.Equal(4, response.GetArrayLength());
        Assert.Equal([true, false, false, true], response.EnumerateArray().Select(entry => entry.GetProperty("stored").GetBoolean()));
        Assert.Equal(2, log.WithMessage(RecorderHandler.RejectedMessage).Count);
        Assert.Equal("evt-bad", log.WithMessage(RecorderHandler.RejectedMessage)[0].GetProperty("eventId").GetString());
    }
}
