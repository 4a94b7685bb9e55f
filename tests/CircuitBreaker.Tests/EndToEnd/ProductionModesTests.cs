using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>Ratio mode, slow-call detection and open-period backoff, end to end on the local stack with short times.</summary>
[Collection(WholeSystemTests.Name)]
public sealed class ProductionModesTests
{
    private static readonly TimeSpan TransitionBound = TimeSpan.FromSeconds(10);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A downstream where every <paramref name="period"/>-th call answers 500 when <paramref name="failing"/> says so, else 200.</summary>
    private static Task<CountingHttpServer> DownstreamAsync(int period, Func<int, bool> failing)
    {
        var calls = 0;
        return CountingHttpServer.StartAsync(context =>
        {
            var call = Interlocked.Increment(ref calls);
            if (failing(call % period))
            {
                context.Response.StatusCode = 500;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("ok");
        });
    }

    private static List<JsonElement> RecorderLines(InProcessLocalHost stack) =>
        [.. stack.FunctionLog.Lines
            .Where(line => line.Contains("\"message\":\"failure recorded\"", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private static List<JsonElement> Transitions(InProcessLocalHost stack) =>
        [.. stack.FunctionLog.Lines
            .Where(line => line.Contains("\"message\":\"circuit transition\"", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private static async Task WaitForRecordedAsync(InProcessLocalHost stack, int failures)
    {
        var deadline = DateTimeOffset.UtcNow + TransitionBound;
        while (RecorderLines(stack).Count < failures && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50, Token);
        }

        Assert.Equal(failures, RecorderLines(stack).Count);
    }

    [Fact]
    public async Task RatioModeStaysClosedUnderASmallErrorRateThatCountModeWouldOpenOn()
    {
        // One call in ten fails: 10 failures in 100 calls, far over a threshold of 3, far under a ratio of 0.5.
        await using var downstream = await DownstreamAsync(10, remainder => remainder == 0);
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", downstream.Address.AbsoluteUri, "--timeout-seconds", "5", "--failure-threshold", "3",
            "--failure-ratio", "0.5", "--minimum-throughput", "20", "--window-seconds", "60", "--open-seconds", "30");

        var statuses = new List<int>();
        for (var call = 0; call < 100; call++)
        {
            statuses.Add((await stack.GetAsync()).Status);
            await Task.Delay(20, Token);
        }

        await WaitForRecordedAsync(stack, 10);
        Assert.Equal(90, statuses.Count(status => status == 200));
        Assert.Equal(10, statuses.Count(status => status == 502));
        Assert.Equal(100, downstream.Calls);
        Assert.Empty(Transitions(stack));

        // The ratio, not a lack of calls, kept it closed: the recorder saw the minimum throughput.
        Assert.Contains(RecorderLines(stack), line => line.GetProperty("callsInWindow").GetInt64() >= 20);
        Assert.Equal(200, (await stack.GetAsync()).Status);
    }

    [Fact]
    public async Task RatioModeOpensUnderALargeErrorRateOnceTheMinimumThroughputIsReached()
    {
        // Three calls in four fail.
        await using var downstream = await DownstreamAsync(4, remainder => remainder != 0);
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", downstream.Address.AbsoluteUri, "--timeout-seconds", "5",
            "--failure-ratio", "0.5", "--minimum-throughput", "20", "--window-seconds", "60", "--open-seconds", "30");

        var sent = 0;
        while (sent < 100 && Transitions(stack).Count == 0)
        {
            await stack.GetAsync();
            sent++;
            await Task.Delay(20, Token);
        }

        var opened = await stack.WaitForTransitionAsync("open", TransitionBound);
        Assert.InRange(sent, 20, 100);
        var reason = JsonDocument.Parse(opened).RootElement.GetProperty("reason").GetString()!;
        Assert.Matches(@"^\d+ of \d+ calls failed within 60 s \(", reason);
        var (status, _, response) = await stack.GetAsync();
        Assert.Equal(503, status);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.All(RecorderLines(stack).Where(line => line.GetProperty("opened").GetBoolean()), line =>
            Assert.InRange(line.GetProperty("callsInWindow").GetInt64(), 20, 100));
    }

    [Fact]
    public async Task SlowCallsOpenAHangingDownstreamsCircuitBeforeTheTimeoutWouldAndAreNotPublishedAgain()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:hang", "--timeout-seconds", "8", "--slow-call-seconds", "0.2",
            "--failure-threshold", "3", "--window-seconds", "30", "--open-seconds", "30");
        var started = System.Diagnostics.Stopwatch.StartNew();

        var hanging = Enumerable.Range(0, 3).Select(_ => stack.GetAsync()).ToList();
        await stack.WaitForTransitionAsync("open", TransitionBound);
        var openedAfter = started.Elapsed;
        var pendingWhenOpened = hanging.Count(request => !request.IsCompleted);
        var (status, _, _) = await stack.GetAsync();
        var answers = await Task.WhenAll(hanging);
        await WaitForRecordedAsync(stack, 3);

        Assert.True(pendingWhenOpened == 3, $"the circuit opened after {openedAfter}, when {3 - pendingWhenOpened} of the hanging calls had timed out");
        Assert.Equal(503, status);
        Assert.All(answers, answer => Assert.Equal(504, answer.Status));
        Assert.Equal(3, stack.System.Simulator!.Calls);

        // Each hanging call was published once, when slow; its timeout published nothing more.
        await Task.Delay(500, Token);
        Assert.All(RecorderLines(stack), line => Assert.Equal(FailureReasons.Slow, line.GetProperty("reason").GetString()));
        Assert.Equal(3, RecorderLines(stack).Count);
        Assert.Equal(3, stack.FunctionLog.Lines.Count(line => line.Contains("\"message\":\"slow call published as failed\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WithBackoffAFailedProbeMakesTheNextOpenPeriodLonger()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:fail", "--timeout-seconds", "2", "--failure-threshold", "2", "--window-seconds", "30",
            "--open-seconds", "2", "--max-open-seconds", "16");
        Assert.Equal(502, (await stack.GetAsync()).Status);
        Assert.Equal(502, (await stack.GetAsync()).Status);
        await stack.WaitForTransitionAsync("open", TransitionBound);

        var (firstStatus, _, first) = await stack.GetAsync();
        Assert.Equal(503, firstStatus);
        var firstRetryAfter = first.Headers.RetryAfter!.Delta!.Value;
        await Task.Delay(firstRetryAfter + TimeSpan.FromMilliseconds(100), Token);

        // The probe fails, and its transition says how long the circuit is open again: 4 s ± 10 %.
        Assert.Equal(502, (await stack.GetAsync()).Status);
        var reopened = await stack.FunctionLog.WaitForLineAsync(line => line.Contains("probe failed (1 in a row", StringComparison.Ordinal), TransitionBound, Token);
        var (secondStatus, _, second) = await stack.GetAsync();

        Assert.Equal(503, secondStatus);
        Assert.InRange(firstRetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
        var reason = JsonDocument.Parse(reopened).RootElement.GetProperty("reason").GetString()!;
        var period = double.Parse(System.Text.RegularExpressions.Regex.Match(reason, @"open ([\d.]+) s").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(period, 3.6, 4.4);
    }
}
