using CircuitBreaker.Contract;
using CircuitBreaker.Polly;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using static CircuitBreaker.Tests.Polly.PollyTestCircuits;

namespace CircuitBreaker.Tests.Polly;

public sealed class DistributedCircuitBreakerStrategyTests
{
    private readonly FakeTimeProvider _time = NewClock();
    private readonly DistributedCircuitBreakerStrategyOptions _options;
    private readonly InMemoryDistributedCircuit _shared;
    private readonly RecordingCircuit _circuit;

    public DistributedCircuitBreakerStrategyTests()
    {
        _options = Options(_time);
        _shared = new InMemoryDistributedCircuit(_options);
        _circuit = new RecordingCircuit(_shared);
        _options.Circuit = _circuit;
    }

    [Fact]
    public async Task ThreeFailuresOpenTheCircuitAndTheFourthCallFailsFastWithRetryAfter()
    {
        var pipeline = Pipeline(_options);
        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<InvalidOperationException>(await pipeline.FailAsync());
        }

        _time.Advance(TimeSpan.FromSeconds(12));
        var calls = 0;
        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(
            async () => await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; }, TestContext.Current.CancellationToken));

        Assert.Equal(0, calls);
        Assert.Equal(TimeSpan.FromSeconds(18), refused.RetryAfter);
        Assert.IsNotType<IsolatedCircuitException>(refused);
        Assert.Contains(ServiceId, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachFailureIsReportedAsTheContractsFailureEvent()
    {
        var pipeline = Pipeline(_options);
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.Properties.Set(DistributedCircuitBreakerProperties.RequestId, "req-1");

        await pipeline.ExecuteOutcomeAsync<int, object?>(
            (_, _) =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(250));
                return Outcome.FromExceptionAsValueTask<int>(new HttpRequestException("refused"));
            },
            context,
            null);

        var failure = Assert.Single(_circuit.Failures);
        Assert.Equal(ServiceId, failure.ServiceId);
        Assert.Equal(FailureReasons.ConnectionError, failure.Reason);
        Assert.Equal("req-1", failure.RequestId);
        Assert.Equal(250, failure.ElapsedMilliseconds);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), failure.FailedAtEpochMilliseconds);
        var call = Assert.Single(_circuit.Calls);
        Assert.True(call.Failed);
    }

    [Fact]
    public async Task AnExceptionThatIsNotAboutTheConnectionIsReportedWithTheGenericReason()
    {
        var pipeline = Pipeline(_options);

        Assert.IsType<InvalidOperationException>(await pipeline.FailAsync());

        Assert.Equal(FailureReasons.Exception, Assert.Single(_circuit.Failures).Reason);
    }

    [Fact]
    public async Task AnHttpResultJudgedFailedIsReportedAsServerErrorWithItsStatus()
    {
        var options = new DistributedCircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            ServiceId = ServiceId,
            TimeProvider = _time,
            Circuit = _circuit,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(response => (int)response.StatusCode >= 500),
        };
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddDistributedCircuitBreaker(options).Build();

        using var answer = await pipeline.ExecuteAsync(
            _ => ValueTask.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.BadGateway)), TestContext.Current.CancellationToken);

        var failure = Assert.Single(_circuit.Failures);
        Assert.Equal(FailureReasons.ServerError, failure.Reason);
        Assert.Equal(502, failure.StatusCode);
    }

    [Fact]
    public async Task SuccessesAndCancellationsAreCountedAsCallsButNotReportedAsFailures()
    {
        var pipeline = Pipeline(_options);

        Assert.Null(await pipeline.SucceedAsync());
        await Assert.ThrowsAsync<OperationCanceledException>(
            async () => await pipeline.ExecuteAsync(_ => throw new OperationCanceledException(), TestContext.Current.CancellationToken));

        Assert.Empty(_circuit.Failures);
        Assert.Equal(2, _circuit.Calls.Count);
        Assert.All(_circuit.Calls, call => Assert.False(call.Failed));
    }

    [Fact]
    public async Task AfterTheOpenPeriodOneProbeRunsAndItsSuccessClosesTheCircuit()
    {
        var closed = new List<OnCircuitClosedArguments<object>>();
        _options.OnClosed = arguments => { closed.Add(arguments); return ValueTask.CompletedTask; };
        var pipeline = Pipeline(_options);
        await OpenAsync(pipeline);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await pipeline.SucceedAsync());

        Assert.Equal(CircuitState.Closed, _shared.State);
        Assert.Equal(1, _shared.ProbesAdmitted);
        var settlement = Assert.Single(_circuit.Settlements);
        Assert.True(settlement.Succeeded);
        var closing = Assert.Single(closed);
        Assert.False(closing.IsManual);
        Assert.Equal(42, closing.Outcome.Result);
        Assert.Null(await pipeline.SucceedAsync());
        Assert.Single(closed);
    }

    [Fact]
    public async Task AFailedProbeReopensTheCircuitForTheBackedOffPeriod()
    {
        _options.MaxOpenDuration = TimeSpan.FromSeconds(100);
        var opened = new List<OnCircuitOpenedArguments<object>>();
        _options.OnOpened = arguments => { opened.Add(arguments); return ValueTask.CompletedTask; };
        var pipeline = Pipeline(new DistributedCircuitBreakerStrategyOptions
        {
            ServiceId = ServiceId, TimeProvider = _time, Circuit = new RecordingCircuit(new InMemoryDistributedCircuit(_options)), OnOpened = _options.OnOpened,
        });
        await OpenAsync(pipeline);
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(opened).BreakDuration);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.IsType<InvalidOperationException>(await pipeline.FailAsync());

        // Doubled, with the deployed breaker's ±10 % jitter (the in-memory circuit runs the same backoff).
        Assert.Equal(2, opened.Count);
        var period = opened[1].BreakDuration;
        Assert.InRange(period, TimeSpan.FromSeconds(54), TimeSpan.FromSeconds(66));
        Assert.IsType<InvalidOperationException>(opened[1].Outcome.Exception);
        _time.Advance(period - TimeSpan.FromSeconds(1));
        var refused = Assert.IsType<BrokenCircuitException>(await pipeline.SucceedAsync());
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
    }

    [Fact]
    public async Task CallbacksFireOncePerChangeThisInstanceSees()
    {
        var seen = new List<string>();
        _options.OnOpened = arguments => { seen.Add($"opened {arguments.BreakDuration.TotalSeconds}"); return ValueTask.CompletedTask; };
        _options.OnHalfOpened = _ => { seen.Add("half-opened"); return ValueTask.CompletedTask; };
        _options.OnClosed = _ => { seen.Add("closed"); return ValueTask.CompletedTask; };
        var pipeline = Pipeline(_options);

        await OpenAsync(pipeline);
        await pipeline.SucceedAsync();
        await pipeline.SucceedAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        await pipeline.SucceedAsync();

        Assert.Equal(["opened 30", "half-opened", "closed"], seen);
    }

    [Fact]
    public async Task AnIsolatedCircuitThrowsPollysIsolatedCircuitExceptionAndReleaseClosesIt()
    {
        var opened = new List<OnCircuitOpenedArguments<object>>();
        var closed = new List<OnCircuitClosedArguments<object>>();
        _options.OnOpened = arguments => { opened.Add(arguments); return ValueTask.CompletedTask; };
        _options.OnClosed = arguments => { closed.Add(arguments); return ValueTask.CompletedTask; };
        var pipeline = Pipeline(_options);
        _shared.Isolate();

        var calls = 0;
        await Assert.ThrowsAsync<IsolatedCircuitException>(
            async () => await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; }, TestContext.Current.CancellationToken));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.IsType<IsolatedCircuitException>(await pipeline.SucceedAsync());

        Assert.Equal(0, calls);
        var opening = Assert.Single(opened);
        Assert.True(opening.IsManual);
        Assert.Equal(TimeSpan.MaxValue, opening.BreakDuration);

        _shared.Close();
        Assert.Null(await pipeline.SucceedAsync());
        Assert.True(Assert.Single(closed).IsManual);
    }

    [Fact]
    public async Task WhenTheStoreIsUnreachableFailOpenRunsTheCallAndStillReportsItsFailure()
    {
        var unreachable = new UnreachableCircuit(ServiceId);
        var options = Options(_time, unreachable);
        var pipeline = Pipeline(options);

        Assert.Null(await pipeline.SucceedAsync());
        Assert.IsType<InvalidOperationException>(await pipeline.FailAsync());

        Assert.Equal(1, unreachable.FailuresOffered);
    }

    [Fact]
    public async Task WhenTheStoreIsUnreachableFailClosedRefusesWithTheFaultInside()
    {
        var options = Options(_time, new UnreachableCircuit(ServiceId));
        options.FailOpen = false;
        var pipeline = Pipeline(options);
        var calls = 0;

        // Its own type, so that a caller can tell "the breaker is down" from "the dependency is down"; still a BrokenCircuitException.
        var refused = await Assert.ThrowsAsync<BreakerUnavailableException>(
            async () => await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; }, TestContext.Current.CancellationToken));

        Assert.Equal(0, calls);
        Assert.IsAssignableFrom<BrokenCircuitException>(refused);
        Assert.Null(refused.RetryAfter);
        Assert.IsType<HttpRequestException>(refused.InnerException);
    }

    [Fact]
    public async Task AProbeItsCallerCancelledIsReleasedNotSettledAndTheNextCallerProbesAtOnce()
    {
        var pipeline = Pipeline(_options);
        await OpenAsync(pipeline);
        _time.Advance(TimeSpan.FromSeconds(30));
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pipeline.ExecuteAsync(
            token =>
            {
                cancellation.Cancel();
                token.ThrowIfCancellationRequested();
                return ValueTask.CompletedTask;
            },
            cancellation.Token));

        // A cancelled probe says nothing about the dependency: neither closed nor reopened, only let go.
        Assert.Empty(_circuit.Settlements);
        Assert.True(Assert.Single(_circuit.Releases).Released);
        Assert.Null(await pipeline.SucceedAsync());
        Assert.Equal(CircuitState.Closed, _shared.State);
    }

    [Fact]
    public async Task AThrowingShouldHandleStillReportsTheCallAsAFailureAndRethrows()
    {
        _options.ShouldHandle = _ => throw new FormatException("ShouldHandle broke (test)");
        var pipeline = Pipeline(_options);

        await Assert.ThrowsAsync<FormatException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromResult(42), TestContext.Current.CancellationToken));

        Assert.Single(_circuit.Failures);
        Assert.True(Assert.Single(_circuit.Calls).Failed);
    }

    [Fact]
    public async Task AProbeWhoseOnHalfOpenedCallbackThrowsReleasesItsLease()
    {
        var pipeline = Pipeline(_options);
        await OpenAsync(pipeline);
        _time.Advance(TimeSpan.FromSeconds(30));
        var throwing = Pipeline(new DistributedCircuitBreakerStrategyOptions
        {
            ServiceId = ServiceId, TimeProvider = _time, Circuit = _circuit,
            OnHalfOpened = _ => throw new InvalidOperationException("OnHalfOpened broke (test)"),
        });

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await throwing.ExecuteAsync(_ => ValueTask.FromResult(42), TestContext.Current.CancellationToken));

        Assert.True(Assert.Single(_circuit.Releases).Released);
        Assert.Null(await pipeline.SucceedAsync());
        Assert.Equal(CircuitState.Closed, _shared.State);
    }

    private static async Task OpenAsync(ResiliencePipeline pipeline)
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<InvalidOperationException>(await pipeline.FailAsync());
        }

        Assert.IsType<BrokenCircuitException>(await pipeline.SucceedAsync());
    }
}
