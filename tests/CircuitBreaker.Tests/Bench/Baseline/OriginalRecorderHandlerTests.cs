using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Bench.Baseline;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Bench.Baseline;

[Collection(DynaliteTests.Name)]
public sealed class OriginalRecorderHandlerTests(DynaliteFixture dynalite) : OriginalTableTests(dynalite)
{
    [Fact]
    public async Task ARedeliveredEventIsStoredTwiceUnderRandomKeys()
    {
        var time = TimeProvider.System;
        var settings = TestSettings.Circuit(windowSeconds: 60);
        var handler = new OriginalRecorderHandler(Client, Table, settings, time, new FunctionLog(TextWriter.Null, time, HandlerNames.Recorder));
        var envelope = FailureEnvelope("event-1", settings.ServiceId, time);

        await handler.HandleAsync(Invocations.Of(envelope, time), TestContext.Current.CancellationToken);
        await handler.HandleAsync(Invocations.Of(envelope, time), TestContext.Current.CancellationToken);

        var items = (await Client.ScanAsync(new ScanRequest { TableName = Table }, TestContext.Current.CancellationToken)).Items;
        Assert.Equal(2, items.Count);
        Assert.NotEqual(items[0][OriginalTableLayout.RequestId].S, items[1][OriginalTableLayout.RequestId].S);
        Assert.All(items, item =>
        {
            Assert.Equal(settings.ServiceId, item[OriginalTableLayout.SiteUrl].S);
            var expires = long.Parse(item[OriginalTableLayout.ExpirationTime].N, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(expires - time.GetUtcNow().ToUnixTimeSeconds(), 55, 61);
        });
    }

    internal static string FailureEnvelope(string eventId, string serviceId, TimeProvider time) => $$$"""
        {"version":"0","id":"{{{eventId}}}","detail-type":"{{{FailureEvents.DetailType}}}","source":"{{{FailureEvents.Source}}}",
         "account":"000000000000","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],
         "detail":{"serviceId":"{{{serviceId}}}","failedAtEpochMs":{{{time.GetUtcNow().ToUnixTimeMilliseconds()}}},"reason":"timeout","requestId":"r1","elapsedMs":10}}
        """;
}
