using System.Collections.Concurrent;
using CircuitBreaker.Polly;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;
using static CircuitBreaker.Tests.Polly.PollyTestCircuits;

namespace CircuitBreaker.Tests.Polly;

/// <summary>Listeners written for Polly's breaker (Polly.Extensions' logging and metering among them) see the same events.</summary>
public sealed class TelemetryTests
{
    private readonly FakeTimeProvider _time = NewClock();
    private readonly EventNames _events = new();

    [Fact]
    public async Task TransitionsAreReportedUnderPollysBreakerEventNames()
    {
        var options = Options(_time);
        options.Circuit = new InMemoryDistributedCircuit(options);
        var pipeline = Build(options);

        for (var i = 0; i < 3; i++)
        {
            await pipeline.FailAsync();
        }

        var refused = Assert.IsType<BrokenCircuitException>(await pipeline.SucceedAsync());
        _time.Advance(TimeSpan.FromSeconds(30));
        await pipeline.SucceedAsync();

        Assert.Equal(["OnCircuitOpened", "OnCircuitHalfOpened", "OnCircuitClosed"], _events.Names.Where(name => name.StartsWith("OnCircuit", StringComparison.Ordinal)));
        Assert.NotNull(refused.TelemetrySource);
        Assert.Equal(options.Name, refused.TelemetrySource!.StrategyName);
    }

    [Fact]
    public async Task ABackendFaultIsReportedAndSurvived()
    {
        var pipeline = Build(Options(_time, new UnreachableCircuit(ServiceId)));

        Assert.Null(await pipeline.SucceedAsync());

        Assert.Contains("OnDistributedCircuitFault", _events.Names);
    }

    private ResiliencePipeline Build(DistributedCircuitBreakerStrategyOptions options) =>
        new ResiliencePipelineBuilder { TimeProvider = _time, TelemetryListener = _events }.AddDistributedCircuitBreaker(options).Build();

    private sealed class EventNames : TelemetryListener
    {
        private readonly ConcurrentQueue<string> _names = new();

        public IEnumerable<string> Names => _names;

        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args) => _names.Enqueue(args.Event.EventName);
    }
}
