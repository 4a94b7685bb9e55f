using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Tests.Handlers;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Routing;

/// <summary>
/// A hostile client's spellings of a path against routes <c>/orders</c>, <c>/orders/admin</c> (isolated) and <c>/</c>:
/// none of them may reach the <c>/orders</c> or <c>/</c> downstream when a server that merges slashes, drops <c>;</c>
/// parameters or decodes the path again would read it as an <c>/orders/admin</c> path.
/// </summary>
public sealed class RouteSpellingTests : IAsyncLifetime
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly HttpClient _http = FunctionInstance.NewDownstreamHttpClient();
    private readonly TestCircuitStore _store = new();
    private readonly RecordingFailurePublisher _publisher = new();
    private RawHttpServer _orders = null!;
    private RawHttpServer _admin = null!;
    private RawHttpServer _root = null!;

    public ValueTask InitializeAsync()
    {
        _orders = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "orders"u8.ToArray()));
        _admin = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "admin"u8.ToArray()));
        _root = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "root"u8.ToArray()));
        _store.Seed(CircuitRecord.InitiallyClosed("admin") with { Status = CircuitStatus.Isolated, Version = 1 });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _orders.DisposeAsync();
        await _admin.DisposeAsync();
        await _root.DisposeAsync();
    }

    private IInvocationHandler Webservice(Dictionary<string, string>? adminExtra = null, Dictionary<string, string>? rootExtra = null)
    {
        var admin = new Dictionary<string, string> { ["prefix"] = "/orders/admin", ["downstreamUrl"] = _admin.Address.AbsoluteUri, ["serviceId"] = "admin" };
        var root = new Dictionary<string, string> { ["prefix"] = "/", ["downstreamUrl"] = _root.Address.AbsoluteUri, ["serviceId"] = "root" };
        foreach (var (key, value) in adminExtra ?? [])
        {
            admin[key] = value;
        }

        foreach (var (key, value) in rootExtra ?? [])
        {
            root[key] = value;
        }

        Dictionary<string, string>[] routes =
        [
            new() { ["prefix"] = "/orders", ["downstreamUrl"] = _orders.Address.AbsoluteUri, ["serviceId"] = "orders" },
            admin,
            root,
        ];
        var table = RouteTableReader.Read(_ => null, s => s.ConfigKey, routes, (i, k) => $"routes[{i}].{k}");
        Assert.Empty(table.Errors);
        return FunctionInstance.NewRoutedWebservice(
            table.Table!, route => FunctionInstance.NewDownstreamClient(_http, route.Circuit, _time), _store, _publisher, _time, new CapturedLog(_time, "webservice").Log);
    }

    private async Task<JsonElement> InvokeAsync(IInvocationHandler handler, string path)
    {
        var response = await handler.HandleAsync(Invocations.Of(Invocations.HttpApiEvent(path: path), _time), TestContext.Current.CancellationToken);
        return JsonDocument.Parse(response).RootElement.Clone();
    }

    private static int Status(JsonElement response) => response.GetProperty("statusCode").GetInt32();

    private static string ProblemType(JsonElement response) => RelayedWebservice.ProblemOf(response).GetProperty("type").GetString()!;

    [Fact]
    public async Task TheAdminPathAsSpelledReachesTheIsolatedCircuit()
    {
        var webservice = Webservice();

        var response = await InvokeAsync(webservice, "/orders/admin/x");

        Assert.Equal(503, Status(response));
        Assert.Equal("urn:circuit-breaker:problem:circuit-isolated", ProblemType(response));
        Assert.Empty(_orders.Received);
    }

    [Theory]
    [InlineData("/orders//admin/x", "empty segment")]
    [InlineData("/orders///admin", "empty segment")]
    [InlineData("/orders/admin;v=1/x", "';' parameter")]
    [InlineData("/orders/admin;/x", "';' parameter")]
    [InlineData("/orders;x=1/admin/x", "';' parameter")]
    [InlineData("/orders/;x/admin", "';' parameter")]
    [InlineData("/%256frders/admin/x", "encoded percent sign")]
    [InlineData("/%256frders/1", "encoded percent sign")]
    [InlineData("/orders/%2561dmin/x", "encoded percent sign")]
    [InlineData("/orders/%252561dmin/x", "encoded percent sign")]
    public async Task ASpellingThatAnotherServerWouldReadAsAnotherRoutesPathIsRefusedAndReachesNoDownstream(string path, string why)
    {
        var webservice = Webservice();

        var response = await InvokeAsync(webservice, path);

        Assert.Equal(400, Status(response));
        Assert.Equal("urn:circuit-breaker:problem:path-refused", ProblemType(response));
        Assert.Contains(why, RelayedWebservice.ProblemOf(response).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_orders.Received);
        Assert.Empty(_admin.Received);
        Assert.Empty(_root.Received);
        Assert.Equal(0, _store.StateReads);
    }

    [Theory]
    [InlineData("/orders//7", "orders", "/orders//7")]
    [InlineData("/orders/7;v=2", "orders", "/orders/7;v=2")]
    [InlineData("/orders/admin//x", "admin", null)]
    [InlineData("/foo%25bar", "root", "/foo%25bar")]
    [InlineData("/%6frders/7", "orders", "/%6frders/7")]
    public async Task ASpellingThatEveryReadingKeepsOnTheSameRouteIsServedByIt(string path, string route, string? target)
    {
        var webservice = Webservice();

        var response = await InvokeAsync(webservice, path);

        if (route == "admin")
        {
            Assert.Equal(503, Status(response));
            return;
        }

        Assert.Equal(200, Status(response));
        var server = route == "orders" ? _orders : _root;
        Assert.Equal(target, Assert.Single(server.Received).Target);
    }

    [Fact]
    public async Task MatchingIsCaseSensitiveByDefaultSoAnotherCaseIsAnotherRoutesPath()
    {
        var webservice = Webservice();

        var response = await InvokeAsync(webservice, "/orders/Admin/x");

        Assert.Equal(200, Status(response));
        Assert.Equal("/orders/Admin/x", Assert.Single(_orders.Received).Target);
    }

    [Theory]
    [InlineData("/orders/Admin/x")]
    [InlineData("/orders/ADMIN")]
    [InlineData("/orders/%41dmin/x")]
    public async Task ARouteThatIgnoresCaseIsReachedWhateverTheCase(string path)
    {
        var webservice = Webservice(adminExtra: new() { ["ignoreCase"] = "true" });

        var response = await InvokeAsync(webservice, path);

        Assert.Equal(503, Status(response));
        Assert.Equal("urn:circuit-breaker:problem:circuit-isolated", ProblemType(response));
        Assert.Empty(_orders.Received);
    }

    [Fact]
    public async Task AnEncodedSlashIsRefusedUnlessTheRouteAllowsItAndThenRelayedAsSent()
    {
        var refusing = Webservice();
        var allowing = Webservice(rootExtra: new() { ["allowEncodedSlash"] = "true" });

        var refused = await InvokeAsync(refusing, "/files/a%2Fb");
        var relayed = await InvokeAsync(allowing, "/files/a%2Fb");

        Assert.Equal(400, Status(refused));
        Assert.Equal("urn:circuit-breaker:problem:path-refused", ProblemType(refused));
        Assert.Equal(200, Status(relayed));
        Assert.Equal("/files/a%2Fb", Assert.Single(_root.Received).Target);
    }

    [Fact]
    public async Task AnEncodedSlashThatADecodingServerWouldReadAsAnotherRoutesPathIsRefusedEvenWhereAllowed()
    {
        var webservice = Webservice(rootExtra: new() { ["allowEncodedSlash"] = "true" });

        var response = await InvokeAsync(webservice, "/orders%2Fadmin/x");

        Assert.Equal(400, Status(response));
        Assert.Contains("encoded slash", RelayedWebservice.ProblemOf(response).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_root.Received);
    }
}
