using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Tests.Handlers;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Routing;

/// <summary>The webservice with two routes, each to its own loopback downstream, as a function instance composes it.</summary>
public sealed class RoutedWebserviceTests : IAsyncLifetime
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly HttpClient _http = FunctionInstance.NewDownstreamHttpClient();
    private readonly TestCircuitStore _store = new();
    private readonly RecordingFailurePublisher _publisher = new();
    private RawHttpServer _orders = null!;
    private RawHttpServer _pay = null!;
    private CountingHttpServer _hanging = null!;

    public async ValueTask InitializeAsync()
    {
        _orders = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "orders"u8.ToArray()));
        _pay = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "pay"u8.ToArray()));
        _hanging = await CountingHttpServer.StartAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _orders.DisposeAsync();
        await _pay.DisposeAsync();
        await _hanging.DisposeAsync();
    }

    private IInvocationHandler Webservice(params Dictionary<string, string>[] routes)
    {
        var table = RouteTableReader.Read(_ => null, s => s.ConfigKey, routes, (i, k) => $"routes[{i}].{k}");
        Assert.Empty(table.Errors);
        return FunctionInstance.NewRoutedWebservice(
            table.Table!, route => new DownstreamClient(_http, route.Circuit.Target.DownstreamUrl, _time), _store, _publisher, _time, new CapturedLog(_time, "webservice").Log);
    }

    private Dictionary<string, string> OrdersAndPay(bool strip = true) =>
        new() { ["prefix"] = "/orders", ["downstreamUrl"] = new Uri(_orders.Address, "/o/").AbsoluteUri, ["serviceId"] = "orders", ["stripPrefix"] = strip ? "true" : "false" };

    private Dictionary<string, string> Pay() =>
        new() { ["prefix"] = "/pay", ["downstreamUrl"] = new Uri(_pay.Address, "/p").AbsoluteUri, ["serviceId"] = "pay" };

    private async Task<JsonElement> InvokeAsync(IInvocationHandler handler, string path)
    {
        var response = await handler.HandleAsync(Invocations.Of(Invocations.HttpApiEvent(path: path), _time), TestContext.Current.CancellationToken);
        return JsonDocument.Parse(response).RootElement.Clone();
    }

    private static int Status(JsonElement response) => response.GetProperty("statusCode").GetInt32();

    [Fact]
    public async Task EachRouteReachesItsOwnDownstreamWithItsOwnPathRules()
    {
        var webservice = Webservice(OrdersAndPay(strip: true), Pay());

        Assert.Equal("orders", System.Text.Encoding.UTF8.GetString(RelayedWebservice.BodyBytes(await InvokeAsync(webservice, "/orders/7"))));
        Assert.Equal(200, Status(await InvokeAsync(webservice, "/%6frders/a%20b")));
        Assert.Equal(200, Status(await InvokeAsync(webservice, "/pay/x")));

        Assert.Equal(["/o/7", "/o/a%20b"], _orders.Received.Select(r => r.Target));
        Assert.Equal(["/p/pay/x"], _pay.Received.Select(r => r.Target));

        // Each route's circuit read: the second orders request trusts the closed state its route read, unless more than
        // closedStateMaxAgeSeconds (1 s, on the system clock) passed between them on a busy machine.
        Assert.InRange(_store.StateReads, 2, 3);
    }

    [Fact]
    public async Task APathNoRouteServesIs404WithoutAnyStoreReadOrDownstreamCall()
    {
        var webservice = Webservice(OrdersAndPay(), Pay());

        foreach (var path in new[] { "/ordersx", "/", "/Orders/1", "/payment" })
        {
            var response = await InvokeAsync(webservice, path);
            Assert.Equal(404, Status(response));
            Assert.Equal("urn:circuit-breaker:problem:no-route", RelayedWebservice.ProblemOf(response).GetProperty("type").GetString());
        }

        Assert.Equal(0, _store.StateReads);
        Assert.Empty(_orders.Received);
        Assert.Empty(_pay.Received);
    }

    [Fact]
    public async Task APathTheGuardRefusesIs400BeforeAnyRouteIsChosen()
    {
        var webservice = Webservice(OrdersAndPay(), Pay());

        var response = await InvokeAsync(webservice, "/orders/%2e%2e/%2e%2e/pay");

        Assert.Equal(400, Status(response));
        Assert.Equal("urn:circuit-breaker:problem:path-refused", RelayedWebservice.ProblemOf(response).GetProperty("type").GetString());
        Assert.Empty(_orders.Received);
        Assert.Empty(_pay.Received);
        Assert.Equal(0, _store.StateReads);
    }

    [Fact]
    public async Task ARefusedPathIsLabelledWithTheRouteItWasAimedAtOrWithNone()
    {
        var webservice = Webservice(OrdersAndPay(), Pay());

        var underPay = RelayedWebservice.ProblemOf(await InvokeAsync(webservice, "/pay/%2e%2e/orders/1"));
        var underNoRoute = RelayedWebservice.ProblemOf(await InvokeAsync(webservice, "/%2e%2e/pay/1"));

        Assert.Equal(("urn:circuit-breaker:problem:path-refused", "pay"), (underPay.GetProperty("type").GetString(), underPay.GetProperty("serviceId").GetString()));
        Assert.Equal(400, underNoRoute.GetProperty("status").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:path-refused", underNoRoute.GetProperty("type").GetString());
        Assert.False(underNoRoute.TryGetProperty("serviceId", out _), underNoRoute.ToString());
        Assert.Equal(0, _store.StateReads);
    }

    [Theory]
    [InlineData("/pay", "/pay-base")]
    [InlineData("/pay/", "/pay-base/")]
    [InlineData("/pay/x/", "/pay-base/x/")]
    [InlineData("/pay//x", "/pay-base//x")]
    public async Task StrippingThePrefixKeepsWhatFollowsItTrailingSlashIncluded(string path, string expectedTarget)
    {
        var pay = new Dictionary<string, string>
        {
            ["prefix"] = "/pay", ["downstreamUrl"] = new Uri(_pay.Address, "/pay-base").AbsoluteUri, ["serviceId"] = "pay", ["stripPrefix"] = "true",
        };
        var webservice = Webservice(pay);

        Assert.Equal(200, Status(await InvokeAsync(webservice, path)));

        Assert.Equal([expectedTarget], _pay.Received.Select(r => r.Target));
    }

    [Fact]
    public async Task AnOpenCircuitOnOneRouteLeavesTheOtherRouteClosed()
    {
        var webservice = Webservice(OrdersAndPay(), Pay());
        _store.Seed(new CircuitRecord("orders", CircuitStatus.Open, _time.GetUtcNow().AddMinutes(1), null, null, null, 1));

        var orders = await InvokeAsync(webservice, "/orders/1");
        var pay = await InvokeAsync(webservice, "/pay/1");

        Assert.Equal(503, Status(orders));
        Assert.Equal("orders", RelayedWebservice.ProblemOf(orders).GetProperty("serviceId").GetString());
        Assert.Equal(200, Status(pay));
        Assert.Empty(_orders.Received);
        Assert.Single(_pay.Received);
    }

    [Fact]
    public async Task EachRouteHasItsOwnTimeoutAndItsFailuresCarryItsServiceId()
    {
        var hanging = new Dictionary<string, string>
        {
            ["prefix"] = "/slow", ["downstreamUrl"] = _hanging.Address.AbsoluteUri, ["serviceId"] = "slow", ["downstreamTimeoutSeconds"] = "0.2",
        };
        var webservice = Webservice(hanging, Pay());

        var slow = await InvokeAsync(webservice, "/slow");
        var pay = await InvokeAsync(webservice, "/pay");

        Assert.Equal(504, Status(slow));
        Assert.Equal(200, Status(pay));
        var failure = Assert.Single(_publisher.Published);
        Assert.Equal("slow", failure.ServiceId);
    }
}
