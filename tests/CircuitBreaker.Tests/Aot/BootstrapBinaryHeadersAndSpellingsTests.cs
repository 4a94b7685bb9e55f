using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Aot;

/// <summary>
/// The header classes and the route spellings in the published binary: what trimming or AOT could change in the
/// settings' reading (FORWARDED_HEADERS, the header lists, ROUTES' ignoreCase and allowEncodedSlash) or in the relay.
/// </summary>
public sealed partial class BootstrapBinaryTests
{
    [Fact]
    public async Task TheBinaryRelaysEndToEndHeadersBothWaysAndKeepsBackHopByHopForwardedAndUnwritableOnes()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(
            200,
            "text/plain",
            "ok"u8.ToArray(),
            "Link: </orders?page=2>; rel=\"next\"",
            "X-RateLimit-Remaining: 41",
            "Access-Control-Allow-Origin: https://shop.example",
            "Allow: GET, HEAD",
            "Connection: x-conn-secret",
            "X-Conn-Secret: 1",
            "Keep-Alive: timeout=5",
            "Server: internal/1.0"));
        var environment = LambdaEnvironment(HandlerNames.Webservice, downstream.Address);
        environment[CircuitSettingKeys.ForwardedHeaders.EnvironmentVariable] = "true";
        environment[CircuitSettingKeys.RequestHeadersToDrop.EnvironmentVariable] = "x-internal-token";
        environment[CircuitSettingKeys.ResponseHeadersToDrop.EnvironmentVariable] = "server";
        using var process = new BootstrapProcess(RequireBinary(), environment);
        var headers = new Dictionary<string, string>
        {
            ["x-api-key"] = "k",
            ["idempotency-key"] = "8e03978e",
            ["prefer"] = "return=minimal",
            ["origin"] = "https://shop.example",
            ["user-agent"] = "curl/8.5.0",
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["tracestate"] = "congo=t61rcWkgMzE",
            ["x-amzn-trace-id"] = "Root=1-67891233-abcdef012345678912345678",
            ["connection"] = "x-hop",
            ["x-hop"] = "1",
            ["keep-alive"] = "timeout=5",
            ["x-forwarded-for"] = "10.0.0.1",
            ["forwarded"] = "for=10.0.0.1",
            ["x-internal-token"] = "t",
            ["x-bad"] = "a\u0001b",
        };

        var response = await RelayAsync(Invocations.HttpApiEvent(headers: headers, sourceIp: "198.51.100.7", domainName: "api.example.com"), process);

        var received = Assert.Single(downstream.Received);
        foreach (var name in new[] { "x-api-key", "idempotency-key", "prefer", "origin", "user-agent", "traceparent", "tracestate", "x-amzn-trace-id" })
        {
            Assert.Equal([headers[name]], received.Values(name));
        }

        foreach (var name in new[] { "x-hop", "keep-alive", "x-internal-token", "x-bad" })
        {
            Assert.False(received.Has(name), name);
        }

        Assert.Equal(["198.51.100.7"], received.Values("x-forwarded-for"));
        Assert.Equal(["for=198.51.100.7;host=api.example.com;proto=https"], received.Values("forwarded"));
        var relayed = response.GetProperty("headers");
        Assert.Equal("</orders?page=2>; rel=\"next\"", relayed.GetProperty("link").GetString());
        Assert.Equal("41", relayed.GetProperty("x-ratelimit-remaining").GetString());
        Assert.Equal("https://shop.example", relayed.GetProperty("access-control-allow-origin").GetString());
        Assert.Equal("GET, HEAD", relayed.GetProperty("allow").GetString());
        foreach (var name in new[] { "connection", "x-conn-secret", "keep-alive", "server", "content-length" })
        {
            Assert.False(relayed.TryGetProperty(name, out _), name);
        }

        Assert.Contains("\"headers\":\"x-bad\"", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBinaryRefusesSpellingsThatEscapeAnIsolatedRouteAndHonoursIgnoreCaseAndEncodedSlashes()
    {
        await using var orders = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "orders"u8.ToArray()));
        await using var admin = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "admin"u8.ToArray()));
        await using var root = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "root"u8.ToArray()));
        await new DynamoDbCircuitStore(_client, _table, TimeProvider.System).IsolateAsync("admin", TestContext.Current.CancellationToken);
        var environment = LambdaEnvironment(HandlerNames.Webservice, orders.Address);
        environment.Remove("DOWNSTREAM_URL");
        environment[RouteKeys.Routes.EnvironmentVariable] =
            $$"""[{"prefix":"/orders","downstreamUrl":"{{orders.Address.AbsoluteUri}}","serviceId":"orders"},"""
            + $$"""{"prefix":"/orders/admin","downstreamUrl":"{{admin.Address.AbsoluteUri}}","serviceId":"admin","ignoreCase":"true"},"""
            + $$"""{"prefix":"/","downstreamUrl":"{{root.Address.AbsoluteUri}}","serviceId":"root","allowEncodedSlash":"true"}]""";
        using var process = new BootstrapProcess(RequireBinary(), environment);

        foreach (var path in new[] { "/orders//admin/x", "/orders/admin;v=1/x", "/%256frders/1", "/orders%2Fadmin/x" })
        {
            var refused = await RelayAsync(Invocations.HttpApiEvent(path: path), process);
            Assert.True(refused.GetProperty("statusCode").GetInt32() == 400, $"{path}: {refused}");
            Assert.Contains("urn:circuit-breaker:problem:path-refused", refused.GetProperty("body").GetString(), StringComparison.Ordinal);
        }

        foreach (var path in new[] { "/orders/admin/x", "/orders/Admin/x" })
        {
            var isolated = await RelayAsync(Invocations.HttpApiEvent(path: path), process);
            Assert.True(isolated.GetProperty("statusCode").GetInt32() == 503, $"{path}: {isolated}");
            Assert.Contains("urn:circuit-breaker:problem:circuit-isolated", isolated.GetProperty("body").GetString(), StringComparison.Ordinal);
        }

        var slash = await RelayAsync(Invocations.HttpApiEvent(path: "/files/a%2Fb"), process);
        var ordersSlash = await RelayAsync(Invocations.HttpApiEvent(path: "/orders/a%2Fb"), process);

        Assert.Equal(200, slash.GetProperty("statusCode").GetInt32());
        Assert.Equal("/files/a%2Fb", Assert.Single(root.Received).Target);
        Assert.Equal(400, ordersSlash.GetProperty("statusCode").GetInt32());
        Assert.Empty(orders.Received);
        Assert.Empty(admin.Received);
    }
}
