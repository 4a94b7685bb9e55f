using CircuitBreaker.Core.Breaker;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

public sealed class OpenCircuitMemoryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void RecallsUntilTheRememberedTimeAndNotAfter()
    {
        var memory = new OpenCircuitMemory(_time);
        var until = _time.GetUtcNow() + TimeSpan.FromSeconds(5);
        memory.Remember("svc", until, CircuitView.Open);

        _time.Advance(TimeSpan.FromSeconds(4.999));
        Assert.True(memory.TryRecall("svc", out var recalled, out var state));
        Assert.Equal(until, recalled);
        Assert.Equal(CircuitView.Open, state);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(memory.TryRecall("svc", out _, out _));
    }

    [Fact]
    public void CircuitsAreRememberedSeparatelyAndCanBeForgotten()
    {
        var memory = new OpenCircuitMemory(_time);
        memory.Remember("a", _time.GetUtcNow() + TimeSpan.FromSeconds(5), CircuitView.Open);
        memory.Remember("b", _time.GetUtcNow() + TimeSpan.FromSeconds(5), CircuitView.HalfOpen);

        memory.Forget("a");

        Assert.False(memory.TryRecall("a", out _, out _));
        Assert.True(memory.TryRecall("b", out _, out var state));
        Assert.Equal(CircuitView.HalfOpen, state);
    }
}
