using System.Net;
using System.Net.Http.Headers;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Downstream;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>
/// <c>whenOpen</c> on the local host as a user runs it (<c>--when-open</c>, or a route's <c>whenOpen=</c>): answers
/// stored in dynalite while the downstream answers, served once it hangs and the circuit opens.
/// </summary>
[Collection(WholeSystemTests.Name)]
public sealed class WhenOpenEndToEndTests
{
    private static readonly TimeSpan TransitionBound = TimeSpan.FromSeconds(10);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AGetAnsweredBeforeTheDownstreamHangsIsAnsweredFromStaleWithAgeOnceTheCircuitIsOpen()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:ok", "--when-open", "stale", "--timeout-seconds", "0.3", "--failure-threshold", "2", "--open-seconds", "60");
        var simulator = stack.System.Simulator!;
        var (first, _, fresh) = await stack.GetAsync("/items?page=1");
        var freshBody = await fresh.Content.ReadAsStringAsync(Token);
        Assert.Equal(200, first);

        simulator.SwitchTo(SimulatorMode.Hang);
        for (var call = 0; call < 2; call++)
        {
            // The hanging calls fail (timeouts): they too are answered from stale, and counted against the circuit.
            var (status, _, timedOut) = await stack.GetAsync("/items?page=1");
            Assert.Equal((200, "call-failed"), (status, Header(timedOut, "Circuit-Breaker-Stale")));
        }

        await stack.WaitForTransitionAsync("open", TransitionBound);
        await Task.Delay(TimeSpan.FromSeconds(1.1), Token);
        var callsWhenOpen = simulator.Calls;
        var (staleStatus, _, stale) = await stack.GetAsync("/items?page=1");
        var (otherStatus, _, _) = await stack.GetAsync("/items?page=2");

        Assert.Equal(200, staleStatus);
        Assert.Equal(freshBody, await stale.Content.ReadAsStringAsync(Token));
        Assert.True(stale.Headers.Age >= TimeSpan.FromSeconds(1), $"Age was {stale.Headers.Age}");
        Assert.Equal("circuit-open", Header(stale, "Circuit-Breaker-Stale"));
        Assert.Equal(503, otherStatus);
        Assert.Equal(callsWhenOpen, simulator.Calls);
        Assert.Contains(stack.FunctionLog.Lines, line => line.Contains($"\"{CircuitMetrics.StaleServed}\":1", StringComparison.Ordinal));
        Assert.Contains(stack.FunctionLog.Lines, line => line.Contains($"\"{CircuitMetrics.StaleStored}\":1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AGetWithAuthorizationOrAPrivateAnswerIsNeverServedStaleOnARouteThatSaysStale()
    {
        var hang = false;
        await using var downstream = await CountingHttpServer.StartAsync(async context =>
        {
            if (Volatile.Read(ref hang))
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            if (context.Request.Path.StartsWithSegments("/api/private", StringComparison.Ordinal))
            {
                context.Response.Headers.CacheControl = "private, max-age=600";
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"for\":\"{context.Request.Headers.Authorization}\"}}");
        });
        await using var stack = await InProcessLocalHost.StartAsync(
            "--route", $"/api={downstream.Address.AbsoluteUri},whenOpen=stale,serviceId=api,downstreamTimeoutSeconds=0.3,failureThreshold=2,openSeconds=60",
            "--route", "/other=simulate:ok");
        using var alice = new HttpRequestMessage(HttpMethod.Get, "/api/account") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "alice") } };
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.SendAsync(alice, Token)).StatusCode);
        Assert.Equal(200, (await stack.GetAsync("/api/private/profile")).Status);
        Assert.Equal(200, (await stack.GetAsync("/api/public")).Status);

        Volatile.Write(ref hang, true);
        await stack.GetAsync("/api/public");
        await stack.GetAsync("/api/public");
        await stack.WaitForTransitionAsync("open", TransitionBound);

        using var aliceAgain = new HttpRequestMessage(HttpMethod.Get, "/api/account") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "alice") } };
        var aliceStale = await stack.Http.SendAsync(aliceAgain, Token);
        var anonymous = await stack.GetAsync("/api/account");
        var privateStale = await stack.GetAsync("/api/private/profile");
        var publicStale = await stack.GetAsync("/api/public");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, aliceStale.StatusCode);
        Assert.Equal((503, 503), (anonymous.Status, privateStale.Status));
        Assert.Null(Header(privateStale.Response, "Circuit-Breaker-Stale"));
        Assert.Equal((200, "circuit-open"), (publicStale.Status, Header(publicStale.Response, "Circuit-Breaker-Stale")));
    }

    [Fact]
    public async Task StaticAnswersTheConfiguredDocumentWhileTheCircuitIsOpen()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:fail", "--when-open", "static", "--static-status", "200", "--static-content-type", "text/plain",
            "--static-body", "back soon", "--failure-threshold", "2", "--open-seconds", "60");
        await stack.GetAsync();
        await stack.GetAsync();
        await stack.WaitForTransitionAsync("open", TransitionBound);

        var (status, _, response) = await stack.GetAsync();

        Assert.Equal(200, status);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("back soon", await response.Content.ReadAsStringAsync(Token));
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
