using CircuitBreaker.Tests.Support;
using System.Text.Json;
using CircuitBreaker.Local.DynamoDb;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>Two routes through the local host, each to its own simulated downstream, each behind its own circuit.</summary>
[Collection(WholeSystemTests.Name)]
public sealed class RoutesEndToEndTests
{
    private static readonly TimeSpan TransitionBound = TimeSpan.FromSeconds(15);

    // Far above a healthy call's few milliseconds, far below the hanging route's timeout: a healthy call that waited on the hang could not pass.
    private static readonly TimeSpan HealthyBound = TimeSpan.FromSeconds(2);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    [Fact]
    public async Task AHangingRoutesCircuitOpensWhileTheHealthyRouteStaysFastAndClosed()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--route", "/slow=simulate:hang", "--route", "/fast=simulate:ok",
            "--timeout-seconds", "3", "--failure-threshold", "2", "--window-seconds", "30", "--open-seconds", "30");
        var slowSimulator = stack.System.Simulators["/slow"];
        var fastSimulator = stack.System.Simulators["/fast"];

        // The hanging calls run while the healthy route is being called.
        var hanging = Enumerable.Range(0, 2).Select(_ => stack.GetAsync("/slow/orders")).ToList();
        var healthy = new List<(int Status, TimeSpan Elapsed)>();
        for (var call = 0; call < 10; call++)
        {
            var (status, elapsed, _) = await stack.GetAsync($"/fast/item/{call}");
            healthy.Add((status, elapsed));
        }

        foreach (var (status, _, response) in await Task.WhenAll(hanging))
        {
            Assert.Equal(504, status);
            Assert.Equal("slow", (await ProblemAsync(response)).GetProperty("serviceId").GetString());
        }

        var opened = await stack.WaitForTransitionAsync("open", TransitionBound);
        Assert.Contains("\"serviceId\":\"slow\"", opened, StringComparison.Ordinal);

        var (openStatus, _, openResponse) = await stack.GetAsync("/slow/orders");
        Assert.Equal(503, openStatus);
        Assert.Equal("slow", (await ProblemAsync(openResponse)).GetProperty("serviceId").GetString());
        Assert.Equal(2, slowSimulator.Calls);

        for (var call = 10; call < 15; call++)
        {
            var (status, elapsed, _) = await stack.GetAsync($"/fast/item/{call}");
            healthy.Add((status, elapsed));
        }

        Assert.All(healthy, result => Assert.Equal(200, result.Status));
        Assert.All(healthy, result => Assert.InRange(result.Elapsed, TimeSpan.Zero, HealthyBound));
        Assert.Equal(15, fastSimulator.Calls);
        Assert.DoesNotContain(stack.FunctionLog.Lines, line => line.Contains("\"message\":\"circuit transition\"", StringComparison.Ordinal)
            && line.Contains("\"serviceId\":\"fast\"", StringComparison.Ordinal));
        Assert.Equal(SimulatorMode.Ok, fastSimulator.Mode);
    }

    [Fact]
    public async Task APathNoRouteServesIs404WithoutAnyDynamoDbCall()
    {
        var counter = new DynamoDbRequestCounter();
        await using var stack = await InProcessLocalHost.StartAsync(counter, "--route", "/orders=simulate:ok", "--route", "/pay=simulate:ok");

        // One routed request first, so that the instance is warm and the count below is the unmatched requests' alone.
        var (routedStatus, _, _) = await stack.GetAsync("/orders/1");
        Assert.Equal(200, routedStatus);
        Assert.Equal(1, counter.Reads);
        counter.Reset();

        foreach (var path in new[] { "/", "/ordersx", "/payments/1", "/Orders/1" })
        {
            var (status, _, response) = await stack.GetAsync(path);
            Assert.Equal(404, status);
            Assert.Equal("urn:circuit-breaker:problem:no-route", (await ProblemAsync(response)).GetProperty("type").GetString());
        }

        Assert.Empty(counter.Snapshot());
        Assert.Equal(1, stack.System.Simulators["/orders"].Calls);
        Assert.Equal(0, stack.System.Simulators["/pay"].Calls);
    }
}
