using System.Collections.Concurrent;

namespace CircuitBreaker.Bench;

/// <summary>Every invocation's duration, by function: the function-seconds a Lambda bill is made of.</summary>
internal sealed class HandlerTimings
{
    private readonly ConcurrentQueue<HandlerTiming> _timings = new();

    public void Add(HandlerTiming timing) => _timings.Enqueue(timing);

    public IReadOnlyList<HandlerTiming> Snapshot() => [.. _timings];

    public void Reset() => _timings.Clear();
}

/// <summary>One invocation: which function, when it started (since the run began), how long it ran, whether it threw.</summary>
internal readonly record struct HandlerTiming(string Function, TimeSpan StartedAt, TimeSpan Duration, bool Failed);
