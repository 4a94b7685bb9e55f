using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Polly;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Tests.Polly;

/// <summary>
/// The library classifies an <see cref="HttpResponseMessage"/> as the webservice classifies its downstream's answer (one
/// orchestrator): 5xx, 408 and 429 by default, named by status; another 4xx is a successful call; a 429 or 503 that opens
/// the circuit keeps it open for its <c>Retry-After</c>, and <see cref="BrokenCircuitException.RetryAfter"/> says so.
/// Against a raw loopback server, through a real <see cref="HttpClient"/>.
/// </summary>
public sealed class HttpFailureClassificationTests : IDisposable
{
    private readonly FakeTimeProvider _time = PollyTestCircuits.NewClock();
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData(429, FailureReasons.ClientOverload)]
    [InlineData(408, FailureReasons.RequestTimeout)]
    [InlineData(503, FailureReasons.ServerError)]
    public async Task TheTransientAnswersAreFailuresNamedByTheirStatus(int status, string reason)
    {
        await using var server = RawHttpServer.Start(_ => RawHttpServer.Response(status, "text/plain", []));
        var (pipeline, circuit) = Pipeline();

        using var response = await pipeline.ExecuteAsync(token => new ValueTask<HttpResponseMessage>(_http.GetAsync(server.Address, token)), TestContext.Current.CancellationToken);

        Assert.Equal(status, (int)response.StatusCode);
        var failure = Assert.Single(circuit.Failures);
        Assert.Equal((reason, status), (failure.Reason, failure.StatusCode));
        Assert.True(Assert.Single(circuit.Calls).Failed);
    }

    [Fact]
    public async Task A404IsASuccessfulCallUnlessTheOptionsNameItAmongTheFailureStatusCodes()
    {
        await using var server = RawHttpServer.Start(_ => RawHttpServer.Response(404, "text/plain", []));
        var (byDefault, plain) = Pipeline();
        var (strict, named) = Pipeline(options => options.FailureStatusCodes = StatusCodeRanges.Parse("500-599,404"));

        (await byDefault.ExecuteAsync(token => new ValueTask<HttpResponseMessage>(_http.GetAsync(server.Address, token)), TestContext.Current.CancellationToken)).Dispose();
        (await strict.ExecuteAsync(token => new ValueTask<HttpResponseMessage>(_http.GetAsync(server.Address, token)), TestContext.Current.CancellationToken)).Dispose();

        Assert.Empty(plain.Failures);
        Assert.False(Assert.Single(plain.Calls).Failed);
        Assert.Equal((FailureReasons.FailureStatus, 404), (Assert.Single(named.Failures).Reason, named.Failures.Single().StatusCode));
    }

    [Fact]
    public async Task A503WithRetryAfterInSecondsKeepsTheCircuitOpenThatLong()
    {
        await using var server = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], "Retry-After: 120"));

        var refused = await OpenAsync(server);

        Assert.Equal(TimeSpan.FromSeconds(120), refused.RetryAfter);
    }

    [Fact]
    public async Task A429WithRetryAfterAsAnHttpDateKeepsTheCircuitOpenUntilThen()
    {
        var until = _time.GetUtcNow().AddSeconds(90).ToString("R", CultureInfo.InvariantCulture);
        await using var server = RawHttpServer.Start(_ => RawHttpServer.Response(429, "text/plain", [], $"Retry-After: {until}"));

        var refused = await OpenAsync(server);

        Assert.Equal(TimeSpan.FromSeconds(90), refused.RetryAfter);
    }

    [Fact]
    public async Task ARetryAfterBeyondMaxRetryAfterIsCut()
    {
        await using var server = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], "Retry-After: 86400"));

        var refused = await OpenAsync(server, options => options.MaxRetryAfter = TimeSpan.FromSeconds(200));

        Assert.Equal(TimeSpan.FromSeconds(200), refused.RetryAfter);
    }

    [Fact]
    public async Task AFailedProbesRetryAfterReopensTheCircuitThatLong()
    {
        var answers = 0;
        await using var server = RawHttpServer.Start(_ => Interlocked.Increment(ref answers) <= 3
            ? RawHttpServer.Response(500, "text/plain", [])
            : RawHttpServer.Response(503, "text/plain", [], "Retry-After: 240"));
        var (pipeline, _) = Pipeline();
        await CallAsync(pipeline, server, times: 3);
        _time.Advance(TimeSpan.FromSeconds(30));

        await CallAsync(pipeline, server, times: 1);
        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(async () => await CallAsync(pipeline, server, times: 1));

        Assert.Equal(TimeSpan.FromSeconds(240), refused.RetryAfter);
    }

    private async Task<BrokenCircuitException> OpenAsync(RawHttpServer server, Action<DistributedCircuitBreakerStrategyOptions<HttpResponseMessage>>? configure = null)
    {
        var (pipeline, _) = Pipeline(configure);
        await CallAsync(pipeline, server, times: 3);
        return await Assert.ThrowsAsync<BrokenCircuitException>(async () => await CallAsync(pipeline, server, times: 1));
    }

    private async Task CallAsync(ResiliencePipeline<HttpResponseMessage> pipeline, RawHttpServer server, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await pipeline.ExecuteAsync(token => new ValueTask<HttpResponseMessage>(_http.GetAsync(server.Address, token)), TestContext.Current.CancellationToken);
        }
    }

    // The library's defaults (no ShouldHandle, no DescribeFailure of the caller's), on the in-memory circuit: threshold 3 within 60 s, open 30 s.
    private (ResiliencePipeline<HttpResponseMessage> Pipeline, RecordingCircuit Circuit) Pipeline(Action<DistributedCircuitBreakerStrategyOptions<HttpResponseMessage>>? configure = null)
    {
        var options = new DistributedCircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            ServiceId = PollyTestCircuits.ServiceId,
            FailureThreshold = 3,
            Window = TimeSpan.FromSeconds(60),
            OpenDuration = TimeSpan.FromSeconds(30),
            ProbeLease = TimeSpan.FromSeconds(10),
            TimeProvider = _time,
        };
        configure?.Invoke(options);
        var circuit = new RecordingCircuit(new InMemoryDistributedCircuit(options));
        options.Circuit = circuit;
        return (new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }.AddDistributedCircuitBreaker(options).Build(), circuit);
    }
}
