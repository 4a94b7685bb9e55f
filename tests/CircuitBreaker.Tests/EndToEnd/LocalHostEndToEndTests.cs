using System.Net;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Downstream;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>The original demo and the breaker's guarantees, end to end on the local stack with short times.</summary>
[Collection(WholeSystemTests.Name)]
public sealed class LocalHostEndToEndTests
{
    private static readonly TimeSpan TransitionBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FastFailBound = TimeSpan.FromMilliseconds(150);

    private static JsonElement Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone();
    }

    [Fact]
    public async Task TheOriginalDemoFailsSlowlyThreeTimesThenFastThenProbesAfterTheOpenPeriod()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:hang", "--timeout-seconds", "0.2", "--failure-threshold", "3", "--window-seconds", "3", "--open-seconds", "1");
        var simulator = stack.System.Simulator!;

        for (var call = 1; call <= 3; call++)
        {
            var (status, elapsed, response) = await stack.GetAsync();
            Assert.Equal(504, status);
            Assert.InRange(elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(3));
            Assert.Equal("urn:circuit-breaker:problem:downstream-timeout", Problem(response).GetProperty("type").GetString());
        }

        await stack.WaitForTransitionAsync("open", TransitionBound);
        var callsWhenOpened = simulator.Calls;
        for (var call = 4; call <= 6; call++)
        {
            var (status, elapsed, response) = await stack.GetAsync();
            Assert.Equal(503, status);
            Assert.InRange(elapsed, TimeSpan.Zero, FastFailBound);
            Assert.InRange(response.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            Assert.Equal("open", Problem(response).GetProperty("circuitState").GetString());
        }

        Assert.Equal(3, callsWhenOpened);
        Assert.Equal(callsWhenOpened, simulator.Calls);

        await Task.Delay(TimeSpan.FromSeconds(1.1), TestContext.Current.CancellationToken);
        var (probeStatus, probeElapsed, _) = await stack.GetAsync();

        Assert.Equal(504, probeStatus);
        Assert.True(probeElapsed >= TimeSpan.FromMilliseconds(190), $"the probe reached the downstream and waited for it; it took {probeElapsed}");
        Assert.Equal(callsWhenOpened + 1, simulator.Calls);
        await stack.WaitForTransitionAsync("half-open", TransitionBound);
        var reopened = await stack.GetAsync();
        Assert.Equal(503, reopened.Status);
    }

    [Fact]
    public async Task FiftyConcurrentRequestsAtTheEndOfTheOpenPeriodSendExactlyOneProbe()
    {
        var failing = true;
        var releaseProbe = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var downstream = await CountingHttpServer.StartAsync(async context =>
        {
            if (Volatile.Read(ref failing))
            {
                context.Response.StatusCode = 500;
                return;
            }

            // The recovered downstream holds the probe until the test has seen every other request answered, so
            // the guarantee is checked while the probe is out, however slowly a busy machine schedules the burst.
            await releaseProbe.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("recovered");
        });
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", downstream.Address.AbsoluteUri, "--timeout-seconds", "10", "--failure-threshold", "3", "--window-seconds", "10", "--open-seconds", "4");

        for (var call = 0; call < 3; call++)
        {
            Assert.Equal(502, (await stack.GetAsync()).Status);
        }

        await stack.WaitForTransitionAsync("open", TransitionBound);

        // Warm instances while the circuit is open, as a steady load would have.
        var warm = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => stack.GetAsync()));
        Assert.All(warm, r => Assert.True(r.Status == 503, $"warm-up request answered {r.Status} after {r.Elapsed}"));
        var callsBeforeProbe = downstream.Calls;
        Volatile.Write(ref failing, false);
        var openUntil = DateTimeOffset.UtcNow + warm.Min(r => r.Response.Headers.RetryAfter!.Delta!.Value);
        await Task.Delay((openUntil - DateTimeOffset.UtcNow) + TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);

        var requests = Enumerable.Range(0, 50).Select(_ => stack.GetAsync()).ToList();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (requests.Count(r => r.IsCompleted) < 49 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var answeredWhileProbing = requests.Where(r => r.IsCompleted).Select(r => r.Result.Status).ToList();
        var callsWhileProbing = downstream.Calls - callsBeforeProbe;
        releaseProbe.SetResult();
        var burst = await Task.WhenAll(requests);

        Assert.Equal(1, callsWhileProbing);
        Assert.Equal(49, answeredWhileProbing.Count(status => status == 503));
        Assert.Equal(callsBeforeProbe + 1, downstream.Calls);
        Assert.Single(burst, r => r.Status == 200);
        await stack.WaitForTransitionAsync("closed", TransitionBound);
        await Task.Delay(CircuitBreaker.Core.Breaker.CircuitGate.HalfOpenRecheck + TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        Assert.Equal(200, (await stack.GetAsync()).Status);
    }

    [Fact]
    public async Task AnEventDeliveredTwiceCountsOnce()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:ok", "--failure-threshold", "2", "--window-seconds", "60", "--open-seconds", "60");
        var envelope = Encoding.UTF8.GetBytes($$"""
            {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","source":"{{FailureEvents.Source}}","detail-type":"{{FailureEvents.DetailType}}",
             "time":"{{DateTimeOffset.UtcNow:O}}","detail":{"serviceId":"{{stack.System.Settings.ServiceId}}","failedAtEpochMs":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},
             "reason":"timeout","requestId":"r1","elapsedMs":200} }
            """);

        var first = await stack.System.Lambda.InvokeAsync("recorder", envelope, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var second = await stack.System.Lambda.InvokeAsync("recorder", envelope, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.True(JsonDocument.Parse(first.Payload).RootElement.GetProperty("stored").GetBoolean());
        var redelivery = JsonDocument.Parse(second.Payload).RootElement;
        Assert.False(redelivery.GetProperty("stored").GetBoolean());
        Assert.Equal(1, redelivery.GetProperty("failuresInWindow").GetInt32());
        Assert.Equal(200, (await stack.GetAsync()).Status);
        Assert.Equal(1, stack.System.Simulator!.Calls);
    }

    [Fact]
    public async Task WhenDynamoDbDiesRequestsAreStillAnsweredAndTheBreakerWorksAgainOnceItIsBack()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:ok", "--timeout-seconds", "0.2", "--failure-threshold", "3", "--window-seconds", "10", "--open-seconds", "5",
            "--closed-state-max-age-seconds", "0");
        Assert.Equal(200, (await stack.GetAsync()).Status);

        // Read for every request (age 0), so that the request right after DynamoDB dies meets the outage rather than the
        // closed state its instance read a moment before.
        stack.DynamoDb.Server.Kill();
        var duringOutage = await stack.GetAsync();

        Assert.Equal(200, duringOutage.Status);
        Assert.InRange(duringOutage.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        await stack.FunctionLog.WaitForLineAsync(line => line.Contains("breaker store unavailable", StringComparison.Ordinal), TransitionBound, TestContext.Current.CancellationToken);

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (stack.DynamoDb.Restarts == 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, stack.DynamoDb.Restarts);
        stack.System.Simulator!.SwitchTo(SimulatorMode.Hang);
        for (var call = 0; call < 3; call++)
        {
            Assert.Equal(504, (await stack.GetAsync()).Status);
        }

        await stack.WaitForTransitionAsync("open", TransitionBound);
        Assert.Equal(503, (await stack.GetAsync()).Status);
    }

    [Fact]
    public async Task BadInputGetsClearAnswersAndNothingCrashes()
    {
        await using var stack = await InProcessLocalHost.StartAsync("--downstream", "simulate:ok");

        using var huge = new ByteArrayContent(new byte[10 * 1024 * 1024 + 1]);
        var tooLarge = await stack.Http.PostAsync("/", huge, TestContext.Current.CancellationToken);
        using var brew = new HttpRequestMessage(new HttpMethod("BREW"), "/pot");
        var unknownMethod = await stack.Http.SendAsync(brew, TestContext.Current.CancellationToken);
        var invalidEvent = await stack.System.Lambda.InvokeAsync("recorder", Encoding.UTF8.GetBytes("{not json"), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var afterwards = await stack.GetAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknownMethod.StatusCode);
        Assert.Equal(CircuitBreaker.Local.LambdaService.InvocationOutcome.Success, invalidEvent.Outcome);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(invalidEvent.Payload).RootElement.GetProperty("rejected").GetString()));
        Assert.Equal(200, afterwards.Status);
    }

    [Fact]
    public async Task APutEventsBatchWithBadFailureEventsAmongGoodOnesCountsTheGoodOnesAndAcknowledgesTheBadOnes()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:ok", "--failure-threshold", "3", "--window-seconds", "60", "--open-seconds", "60");
        var serviceId = stack.System.Settings.ServiceId;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string Detail(string failedAt, string reason = "timeout") =>
            $$"""{"serviceId":"{{serviceId}}","failedAtEpochMs":{{failedAt}},"reason":"{{reason}}","requestId":"r","elapsedMs":1}""";
        string[] details =
        [
            Detail(now.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Detail("\"yesterday\""),
            Detail(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Detail(now.ToString(System.Globalization.CultureInfo.InvariantCulture), reason: "bored"),
            $$"""{"serviceId":"{{serviceId}}","reason":"timeout"}""",
            Detail("9e15"),
        ];
        var entries = string.Join(",", details.Select(detail => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["EventBusName"] = CircuitBreaker.Local.Hosting.LocalSystem.BusName,
            ["Source"] = FailureEvents.Source,
            ["DetailType"] = FailureEvents.DetailType,
            ["Detail"] = detail,
        })));
        using var request = new HttpRequestMessage(HttpMethod.Post, stack.System.Events.BaseAddress)
        {
            Content = new StringContent($$"""{"Entries":[{{entries}}]}""", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSEvents.PutEvents");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=00");

        using var response = await stack.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await stack.WaitForTransitionAsync("open", TransitionBound);
        var until = DateTimeOffset.UtcNow + TransitionBound;
        while (stack.System.Lambda.Statistics("recorder").Succeeded < details.Length && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var recorder = stack.System.Lambda.Statistics("recorder");
        Assert.Equal(details.Length, recorder.Succeeded);
        Assert.Equal(0, recorder.Failed);
        Assert.Equal(3, stack.FunctionLog.Lines.Count(line => line.Contains("\"message\":\"failure recorded\"", StringComparison.Ordinal)));
        Assert.Equal(3, stack.FunctionLog.Lines.Count(line => line.Contains("\"message\":\"failure event rejected\"", StringComparison.Ordinal)
            && line.Contains("\"FailureEventsRejected\":1", StringComparison.Ordinal)));
        Assert.Equal(503, (await stack.GetAsync()).Status);
    }
}
