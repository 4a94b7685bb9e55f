using CircuitBreaker.Aws.DynamoDb;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Replayer;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Replay;

/// <summary>
/// Replay throughput against dynalite and a loopback downstream that answers at once: a measurement, not a test (it
/// asserts nothing about time), run only with CIRCUIT_BREAKER_MEASURE_REPLAY=1; the numbers are in docs/performance.md.
/// </summary>
[Collection(DynaliteTests.Name)]
public sealed class ReplayThroughputMeasurement(DynaliteFixture dynalite)
{
    [Theory]
    [InlineData(10d, 50)]
    [InlineData(1_000_000d, 500)]
    public async Task ReplayThroughput(double perSecond, int requests)
    {
        if (Environment.GetEnvironmentVariable("CIRCUIT_BREAKER_MEASURE_REPLAY") != "1")
        {
            Assert.Skip("a measurement: set CIRCUIT_BREAKER_MEASURE_REPLAY=1 to run it");
        }

        var token = TestContext.Current.CancellationToken;
        using var client = dynalite.CreateClient(TimeSpan.FromSeconds(5), 3);
        var table = await dynalite.CreateTableAsync(client, token);
        await using var downstream = await CountingHttpServer.StartAsync(context => Task.CompletedTask);
        using var http = FunctionInstance.NewDownstreamHttpClient();
        var circuit = TestSettings.Circuit(downstream.Address.AbsoluteUri, threshold: 1000);
        circuit = circuit with { Target = circuit.Target with { WhenOpen = WhenOpenMode.Defer, Defer = DeferOptions.Default with { ReplayPerSecond = perSecond } } };
        var deferred = new DeferredRequestStore(client, table);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 0; i < requests; i++)
        {
            await deferred.StoreAsync(new DeferredRequest(circuit.ServiceId, $"id-{i:D5}", at.AddMilliseconds(i), "POST", "/orders", [], Encoding.UTF8.GetBytes("{\"order\":1}"), at.AddDays(1)), token);
        }

        var log = new CapturedLog(TimeProvider.System, "replayer");
        var replayer = FunctionInstance.NewReplayerHandler(
            RouteTable.OneRoute(circuit), route => FunctionInstance.NewDownstreamClient(http, route.Circuit, TimeProvider.System),
            new DynamoDbCircuitStore(client, table), deferred, new RecordingFailurePublisher(), new LogOnlyDeadLetterQueue(log.Log),
            (_, _) => Task.FromResult(true), TimeProvider.System, log.Log);
        var close = $$$"""{"source":"circuit-breaker","detail-type":"Circuit State Changed","detail":{"serviceId":"{{{circuit.ServiceId}}}","to":"closed"} }""";

        var watch = Stopwatch.StartNew();
        await replayer.HandleAsync(Invocations.Of(close, TimeProvider.System, TimeSpan.FromMinutes(10)), token);
        watch.Stop();

        Assert.Equal(requests, downstream.Calls);
        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"replay at deferReplayPerSecond={perSecond}: {requests} requests in {watch.Elapsed.TotalSeconds:0.00} s = {requests / watch.Elapsed.TotalSeconds:0.0} requests/s"));
        if (Environment.GetEnvironmentVariable("CIRCUIT_BREAKER_MEASURE_REPLAY_OUTPUT") is { Length: > 0 } output)
        {
            await File.AppendAllTextAsync(output, string.Create(CultureInfo.InvariantCulture,
                $"replay at deferReplayPerSecond={perSecond}: {requests} requests in {watch.Elapsed.TotalSeconds:0.00} s = {requests / watch.Elapsed.TotalSeconds:0.0} requests/s\n"), token);
        }
    }
}
