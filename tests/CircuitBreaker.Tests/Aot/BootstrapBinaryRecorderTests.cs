using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Aot;

/// <summary>The recorder's handling of events it cannot read, and of absurd dates, holds in the published binary.</summary>
public sealed partial class BootstrapBinaryTests
{
    private static string FailureEnvelope(string eventId, string serviceId, string failedAtEpochMs) =>
        $$"""
        {"version":"0","id":"{{eventId}}","source":"{{FailureEvents.Source}}","detail-type":"{{FailureEvents.DetailType}}",
         "time":"{{DateTimeOffset.UtcNow:O}}","detail":{"serviceId":"{{serviceId}}","failedAtEpochMs":{{failedAtEpochMs}},
         "reason":"timeout","requestId":"r","elapsedMs":1} }
        """;

    private async Task<JsonElement> RecordAsync(string envelope, BootstrapProcess process)
    {
        var outcome = await _runtimeApi.Enqueue(envelope).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);
        Assert.True(outcome.Outcome == InvocationOutcome.Success, $"{outcome.BodyText()}\n{process.Output}");
        return JsonDocument.Parse(outcome.Payload).RootElement.Clone();
    }

    [Fact]
    public async Task TheRecorderAcknowledgesEventsItCannotReadWithOneCountedWarningEach()
    {
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Recorder, new Uri("http://downstream.test/")));

        var notJson = await RecordAsync("not json at all", process);
        var mistyped = await RecordAsync(FailureEnvelope("evt-mistyped", "downstream.test", "\"yesterday\""), process);
        var huge = await RecordAsync(FailureEnvelope("evt-huge", new string('x', 300_000), "1"), process);

        Assert.False(string.IsNullOrEmpty(notJson.GetProperty("rejected").GetString()));
        Assert.Equal("evt-mistyped", mistyped.GetProperty("eventId").GetString());
        Assert.False(mistyped.GetProperty("stored").GetBoolean());
        Assert.False(string.IsNullOrEmpty(huge.GetProperty("rejected").GetString()));
        var warnings = process.Output.Split('\n').Where(line => line.Contains("\"message\":\"failure event rejected\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.All(warnings, line =>
        {
            var json = JsonDocument.Parse(line).RootElement;
            Assert.Equal("WARN", json.GetProperty("level").GetString());
            Assert.Equal(1, json.GetProperty(CircuitMetrics.FailureEventsRejected).GetInt32());
            Assert.InRange(line.Length, 1, 2_000);
        });
    }

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("9e15")]
    [InlineData("-1")]
    public async Task TheRecorderCountsAFailureWithAnAbsurdDateOnce(string failedAtEpochMs)
    {
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Recorder, new Uri("http://downstream.test/")));
        var envelope = FailureEnvelope($"evt-{Guid.NewGuid():N}", "downstream.test", failedAtEpochMs);

        var first = await RecordAsync(envelope, process);
        var redelivery = await RecordAsync(envelope, process);

        Assert.True(first.GetProperty("stored").GetBoolean(), process.Output);
        Assert.False(redelivery.GetProperty("stored").GetBoolean());
        Assert.Equal(1, redelivery.GetProperty("failuresInWindow").GetInt32());
        Assert.Contains("\"level\":\"WARN\"", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRecorderTakesABatchEventByEvent()
    {
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Recorder, new Uri("http://downstream.test/")));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var batch = $"[{FailureEnvelope("evt-batch-good", "downstream.test", now)}, {FailureEnvelope("evt-batch-bad", "downstream.test", "\"soon\"")}]";

        var outcome = await _runtimeApi.Enqueue(batch).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);

        Assert.True(outcome.Outcome == InvocationOutcome.Success, $"{outcome.BodyText()}\n{process.Output}");
        var responses = JsonDocument.Parse(outcome.Payload).RootElement;
        Assert.Equal([true, false], responses.EnumerateArray().Select(entry => entry.GetProperty("stored").GetBoolean()));
        Assert.Equal("evt-batch-bad", responses[1].GetProperty("eventId").GetString());
    }
}
