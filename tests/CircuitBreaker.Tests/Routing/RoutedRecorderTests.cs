using System.Text.Json;
using System.Text.Json.Nodes;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Routing;

/// <summary>The recorder of a deployment with routes: each service id's failures count against its own route's settings.</summary>
public sealed class RoutedRecorderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TestCircuitStore _store = new();
    private readonly CapturedLog _log;
    private readonly Functions.Recorder.RecorderHandler _recorder;
    private int _events;

    public RoutedRecorderTests()
    {
        _log = new CapturedLog(_time, "recorder");
        var table = RouteTableReader.Read(
            setting => setting == CircuitSettingKeys.FailureThreshold ? "2" : null,
            s => s.ConfigKey,
            [
                new Dictionary<string, string> { ["prefix"] = "/orders", ["downstreamUrl"] = "http://orders.test/", ["failureThreshold"] = "1", ["openSeconds"] = "30" },
                new Dictionary<string, string> { ["prefix"] = "/pay", ["downstreamUrl"] = "http://pay.test/", ["failureThreshold"] = "3" },
            ],
            (i, k) => $"routes[{i}].{k}").Table!;
        _recorder = FunctionInstance.NewRecorderHandler(_store, table, _time, _log.Log);
    }

    private async Task RecordAsync(string serviceId)
    {
        var envelope = new JsonObject
        {
            ["version"] = "0",
            ["id"] = $"evt-{++_events}",
            ["detail-type"] = FailureEvents.DetailType,
            ["source"] = FailureEvents.Source,
            ["detail"] = JsonSerializer.SerializeToNode(
                new FailureEventDetail(serviceId, _time.GetUtcNow().ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "req", 10),
                ContractJsonContext.Default.FailureEventDetail),
        };
        await _recorder.HandleAsync(Invocations.Of(envelope.ToJsonString(), _time), CancellationToken.None);
    }

    private async Task<CircuitStatus> StatusOf(string serviceId) => (await _store.GetAsync(serviceId, CancellationToken.None)).Status;

    [Fact]
    public async Task EachServiceIdOpensAtItsOwnRoutesThresholdForItsOwnOpenPeriod()
    {
        await RecordAsync("orders.test");
        await RecordAsync("pay.test");
        await RecordAsync("pay.test");

        Assert.Equal(CircuitStatus.Open, await StatusOf("orders.test"));
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), (await _store.GetAsync("orders.test", CancellationToken.None)).OpenUntil);
        Assert.Equal(CircuitStatus.Closed, await StatusOf("pay.test"));

        await RecordAsync("pay.test");
        Assert.Equal(CircuitStatus.Open, await StatusOf("pay.test"));
    }

    [Fact]
    public async Task AServiceIdNoRouteHasIsRecordedWithTheStackWideSettingsAndAWarning()
    {
        await RecordAsync("library-user");
        Assert.Equal(CircuitStatus.Closed, await StatusOf("library-user"));

        await RecordAsync("library-user");
        Assert.Equal(CircuitStatus.Open, await StatusOf("library-user"));
        Assert.Equal(2, _log.WithMessage("failure of a service id that no route has: recorded with the stack-wide settings").Count);
    }
}
