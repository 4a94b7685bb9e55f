using System.Net;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Runtime;

/// <summary>The runtime loop against the local host's Lambda service, the Runtime API every local instance talks to.</summary>
public sealed class LambdaRuntimeLoopTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Fast retries keep the reconnect tests short; the bound is still exercised.
    private static readonly RuntimeLoopOptions QuickRetries = new()
    {
        ExportTraceIdToEnvironment = false,
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
    };

    private readonly HttpClient _http = RuntimeApiClient.CreateHttpClient();
    private readonly LogCapture _log = new();
    private LocalLambdaService _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await LocalRuntimeApi.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
        _log.Dispose();
    }

    [Fact]
    public async Task ResponseOfTheHandlerIsPostedWithTheExactBytes()
    {
        var response = Encoding.UTF8.GetBytes("""{"statusCode":200,"body":"\u00e9"}""");
        LambdaInvocation? seen = null;
        await using var loop = Start(new DelegateInvocationHandler((invocation, _) =>
        {
            seen = invocation;
            return Task.FromResult<ReadOnlyMemory<byte>>(response);
        }));

        var queued = _api.Enqueue("""{"a":1}""", new InvocationOptions(TraceId: "Root=1-abc", RequestId: "req-ok"));

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(InvocationOutcome.Success, outcome.Outcome);
        Assert.Equal(response, outcome.Payload);
        Assert.Equal("req-ok", seen!.RequestId);
        Assert.Equal("Root=1-abc", seen.TraceId);
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(seen.Payload.Span));
    }

    [Fact]
    public async Task HandlerExceptionIsPostedAsAnErrorAndLoggedAsOneJsonLine()
    {
        await using var loop = Start(new DelegateInvocationHandler((_, _) => throw new InvalidOperationException("boom")));

        var queued = _api.Enqueue("{}", new InvocationOptions(RequestId: "req-boom"));

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(InvocationOutcome.FunctionError, outcome.Outcome);
        Assert.Equal(LambdaErrorTypes.UnhandledException, outcome.ErrorType);
        Assert.Equal("boom", outcome.Error().ErrorMessage);
        Assert.Equal(nameof(InvalidOperationException), outcome.Error().ErrorType);

        var line = await _log.WaitForLineAsync(l => l.Contains("req-boom", StringComparison.Ordinal), Patience, Ct);
        using var json = JsonDocument.Parse(line);
        Assert.Equal("ERROR", json.RootElement.GetProperty("level").GetString());
        Assert.Equal("req-boom", json.RootElement.GetProperty("requestId").GetString());
        Assert.Equal(LambdaErrorTypes.UnhandledException, json.RootElement.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task InvalidEventFailsOnlyItsInvocationAndTheNextOneIsServed()
    {
        await using var loop = Start(new DelegateInvocationHandler((invocation, _) =>
            invocation.Payload.Span.SequenceEqual("bad"u8)
                ? throw new InvalidEventException("not JSON")
                : Task.FromResult(invocation.Payload)));

        var bad = _api.Enqueue("bad");
        var good = _api.Enqueue("""{"fine":true}""");

        var badOutcome = await bad.WaitAsync(Patience, Ct);
        Assert.Equal(LambdaErrorTypes.InvalidEvent, badOutcome.ErrorType);
        Assert.Equal("not JSON", badOutcome.Error().ErrorMessage);
        var goodOutcome = await good.WaitAsync(Patience, Ct);
        Assert.Equal(InvocationOutcome.Success, goodOutcome.Outcome);
        Assert.Equal("""{"fine":true}""", goodOutcome.BodyText());
    }

    [Fact]
    public async Task HandlerTokenIsCancelledAtTheDeadlineAndNotBefore()
    {
        // The service's clock starts where the loop's does and stands still: the deadline it hands out is exactly 3 s
        // after the loop's start, and its own timeout of the invocation never fires while the loop's clock moves.
        var start = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var time = new FakeTimeProvider(start);
        await using var api = await LocalRuntimeApi.StartAsync(time: new FakeTimeProvider(start));
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var loop = Start(
            new DelegateInvocationHandler(async (_, token) =>
            {
                started.SetResult(token);
                await Task.Delay(Timeout.Infinite, token);
                return "{}"u8.ToArray();
            }),
            time: time,
            api: api);

        var queued = api.Enqueue("{}"u8.ToArray(), timeout: TimeSpan.FromSeconds(3));
        var token = await started.Task.WaitAsync(Patience, Ct);

        time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(token.IsCancellationRequested);

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(LambdaErrorTypes.DeadlineExceeded, outcome.ErrorType);
    }

    [Fact]
    public async Task TraceIdIsExportedToTheEnvironmentWhenAsked()
    {
        string? seen = null;
        await using var loop = Start(
            new DelegateInvocationHandler((_, _) =>
            {
                seen = Environment.GetEnvironmentVariable(FunctionEnvironment.TraceId);
                return Task.FromResult<ReadOnlyMemory<byte>>("{}"u8.ToArray());
            }),
            options: QuickRetries with { ExportTraceIdToEnvironment = true });

        await _api.Enqueue("{}", new InvocationOptions(TraceId: "Root=1-exported")).WaitAsync(Patience, Ct);
        Assert.Equal("Root=1-exported", seen);

        await _api.Enqueue("{}", new InvocationOptions(OmittedHeaders: ["Lambda-Runtime-Trace-Id"])).WaitAsync(Patience, Ct);
        Assert.Null(seen);
    }

    [Fact]
    public async Task TraceIdStaysOutOfTheEnvironmentWhenLoopsShareAProcess()
    {
        string? seen = "unset";
        await using var loop = Start(
            new DelegateInvocationHandler((_, _) =>
            {
                seen = Environment.GetEnvironmentVariable(FunctionEnvironment.TraceId);
                return Task.FromResult<ReadOnlyMemory<byte>>("{}"u8.ToArray());
            }),
            options: QuickRetries with { ExportTraceIdToEnvironment = false });

        await _api.Enqueue("{}", new InvocationOptions(TraceId: "Root=1-kept-private")).WaitAsync(Patience, Ct);

        Assert.NotEqual("Root=1-kept-private", seen);
    }

    [Fact]
    public async Task LoopSurvivesTheRuntimeApiBeingBrieflyUnreachable()
    {
        await using var loop = Start(DelegateInvocationHandler.Echo());
        await _api.Enqueue("""{"n":1}""").WaitAsync(Patience, Ct);

        // The local host going away and coming back on the same port, as a restarted host does.
        var port = _api.BaseAddress.Port;
        await _api.DisposeAsync();
        await _log.WaitForLineAsync(l => l.Contains("retrying", StringComparison.Ordinal), Patience, Ct);
        _api = await LocalRuntimeApi.StartAsync(port: port);
        var afterRestart = _api.Enqueue("""{"n":2}""");

        var outcome = await afterRestart.WaitAsync(Patience, Ct);
        Assert.Equal("""{"n":2}""", outcome.BodyText());
        Assert.False(loop.Task.IsCompleted);
    }

    [Fact]
    public async Task CancellationStopsTheLoopWhileItWaitsForAnInvocation()
    {
        var loop = Start(DelegateInvocationHandler.Echo());
        await WaitUntilAsync(() => _api.Polling() >= 1);

        await loop.Stopping.CancelAsync();

        await loop.Task.WaitAsync(Patience, Ct);
        Assert.True(loop.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ARuntimeApiThatGoesAwayAsTheLoopIsCancelledEndsItQuietly()
    {
        var loop = Start(DelegateInvocationHandler.Echo());
        await WaitUntilAsync(() => _api.Polling() >= 1);

        // A host stopping both at once: the poll breaks before the loop's own cancellation has reached its HTTP call
        // (callbacks run newest first, so this one runs before the client's and holds it back a moment).
        using var cutOff = loop.Stopping.Token.Register(() =>
        {
            _api.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Thread.Sleep(200);
        });
        await loop.Stopping.CancelAsync();

        await loop.Task.WaitAsync(Patience, Ct);
        Assert.True(loop.Task.IsCompletedSuccessfully);
        Assert.DoesNotContain(_log.Lines, line => line.Contains("Could not get the next invocation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancellationStopsTheLoopWhileAHandlerRuns()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = Start(new DelegateInvocationHandler(async (_, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return "{}"u8.ToArray();
        }));
        _api.Enqueue("{}");
        await started.Task.WaitAsync(Patience, Ct);

        await loop.Stopping.CancelAsync();

        await loop.Task.WaitAsync(Patience, Ct);
        Assert.True(loop.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ResponseRefusedAsTooLargeIsReportedAsAnErrorAndTheLoopGoesOn()
    {
        // The service refuses the first response as too large (the spec's 413) and leaves its invocation open.
        _api.Refuse(LocalRuntimeApi.Function, RuntimeApiCall.Response, new RuntimeApiRefusal(413, "RequestEntityTooLarge", "Response of 65 bytes exceeds 64."));
        await using var loop = Start(
            new DelegateInvocationHandler((invocation, _) =>
                Task.FromResult<ReadOnlyMemory<byte>>(invocation.Payload.Span.SequenceEqual("\"big\""u8) ? new byte[65] : "{}"u8.ToArray())));

        var big = _api.Enqueue("\"big\"");
        var next = _api.Enqueue("\"small\"");

        var bigOutcome = await big.WaitAsync(Patience, Ct);
        Assert.Equal(InvocationOutcome.FunctionError, bigOutcome.Outcome);
        Assert.Equal(LambdaErrorTypes.ResponseSizeTooLarge, bigOutcome.ErrorType);
        Assert.Contains("65 bytes", bigOutcome.Error().ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(InvocationOutcome.Success, (await next.WaitAsync(Patience, Ct)).Outcome);
    }

    [Fact]
    public async Task Status500FromTheRuntimeApiEndsTheLoopWithTheFatalException()
    {
        var loop = Start(DelegateInvocationHandler.Echo());

        _api.Refuse(LocalRuntimeApi.Function, RuntimeApiCall.Next, new RuntimeApiRefusal((int)HttpStatusCode.InternalServerError, "Runtime.ContainerError", "Fault queued by the test."));

        await Assert.ThrowsAsync<RuntimeApiFatalException>(() => loop.Task.WaitAsync(Patience, Ct));
    }

    [Fact]
    public async Task RefusalOnNextIsRetriedRatherThanFatal()
    {
        await using var loop = Start(DelegateInvocationHandler.Echo());

        _api.Refuse(LocalRuntimeApi.Function, RuntimeApiCall.Next, new RuntimeApiRefusal((int)HttpStatusCode.Forbidden, "Runtime.Forbidden", "Fault queued by the test."));
        var queued = _api.Enqueue("{}");

        Assert.Equal(InvocationOutcome.Success, (await queued.WaitAsync(Patience, Ct)).Outcome);
    }

    [Fact]
    public async Task MalformedInvocationWithARequestIdIsFailedAndTheLoopGoesOn()
    {
        await using var loop = Start(DelegateInvocationHandler.Echo());

        var malformed = _api.Enqueue("{}", new InvocationOptions(RequestId: "no-deadline", OmittedHeaders: ["Lambda-Runtime-Deadline-Ms"]));
        var next = _api.Enqueue("{}");

        Assert.Equal(LambdaErrorTypes.MalformedInvocation, (await malformed.WaitAsync(Patience, Ct)).ErrorType);
        Assert.Equal(InvocationOutcome.Success, (await next.WaitAsync(Patience, Ct)).Outcome);
    }

    [Fact]
    public void OptionsThatCannotWorkAreRejected()
    {
        var client = new RuntimeApiClient(_http, _api.RuntimeApiFor(LocalRuntimeApi.Function));
        var log = new FunctionLog(_log, TimeProvider.System, "test");

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LambdaRuntimeLoop(client, DelegateInvocationHandler.Echo(), log, TimeProvider.System, new RuntimeLoopOptions { MaxPostAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LambdaRuntimeLoop(client, DelegateInvocationHandler.Echo(), log, TimeProvider.System, new RuntimeLoopOptions { InitialRetryDelay = TimeSpan.Zero }));
    }

    private RunningLoop Start(IInvocationHandler handler, TimeProvider? time = null, RuntimeLoopOptions? options = null, LocalLambdaService? api = null)
    {
        var clock = time ?? TimeProvider.System;
        var loop = new LambdaRuntimeLoop(
            new RuntimeApiClient(_http, (api ?? _api).RuntimeApiFor(LocalRuntimeApi.Function)),
            handler,
            new FunctionLog(_log, clock, "test"),
            clock,
            options ?? QuickRetries);
        return new RunningLoop(loop);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var started = DateTime.UtcNow;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow - started < Patience, "Condition not met in time.");
            await Task.Delay(10, Ct);
        }
    }

    // Runs a loop for one test and stops it at the end, surfacing any exception it ended with.
    private sealed class RunningLoop : IAsyncDisposable
    {
        public RunningLoop(LambdaRuntimeLoop loop) => Task = loop.RunAsync(Stopping.Token);

        public CancellationTokenSource Stopping { get; } = new();

        public Task Task { get; }

        public async ValueTask DisposeAsync()
        {
            await Stopping.CancelAsync();
            await Task.WaitAsync(Patience);
            Stopping.Dispose();
        }
    }
}
