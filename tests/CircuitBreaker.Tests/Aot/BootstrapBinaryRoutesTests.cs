using CircuitBreaker.Contract;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Aot;

/// <summary>Routes in the published binary: ROUTES is read without reflection, each route reaches its own downstream.</summary>
public sealed partial class BootstrapBinaryTests
{
    [Fact]
    public async Task TheBinaryServesEachRouteFromTheRoutesVariableAndAnswers404OutsideThem()
    {
        await using var orders = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "orders"u8.ToArray()));
        await using var pay = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "pay"u8.ToArray()));
        var environment = LambdaEnvironment(HandlerNames.Webservice, orders.Address);
        environment.Remove("DOWNSTREAM_URL");
        environment[RouteKeys.Routes.EnvironmentVariable] =
            $$"""[{"prefix":"/orders","downstreamUrl":"{{new Uri(orders.Address, "/o/").AbsoluteUri}}","serviceId":"orders","stripPrefix":"true"},"""
            + $$"""{"prefix":"/pay","downstreamUrl":"{{pay.Address.AbsoluteUri}}","serviceId":"pay","failureThreshold":"7"}]""";
        using var process = new BootstrapProcess(RequireBinary(), environment);

        var toOrders = await RelayAsync(Invocations.HttpApiEvent(path: "/%6frders/7"), process);
        var toPay = await RelayAsync(Invocations.HttpApiEvent(path: "/pay/now"), process);
        var nowhere = await RelayAsync(Invocations.HttpApiEvent(path: "/ordersx"), process);

        Assert.Equal(200, toOrders.GetProperty("statusCode").GetInt32());
        Assert.Equal("/o/7", Assert.Single(orders.Received).Target);
        Assert.Equal(200, toPay.GetProperty("statusCode").GetInt32());
        Assert.Equal("/pay/now", Assert.Single(pay.Received).Target);
        Assert.Equal(404, nowhere.GetProperty("statusCode").GetInt32());
        Assert.Contains("urn:circuit-breaker:problem:no-route", nowhere.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"routes\":\"/orders orders http://127.0.0.1", process.Output, StringComparison.Ordinal);
    }
}
