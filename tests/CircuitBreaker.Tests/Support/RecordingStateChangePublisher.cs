using System.Collections.Concurrent;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;

namespace CircuitBreaker.Tests.Support;

/// <summary>An <see cref="IStateChangePublisher"/> that keeps what it is given, for tests of where transitions are reported.</summary>
internal sealed class RecordingStateChangePublisher : IStateChangePublisher
{
    private readonly ConcurrentQueue<CircuitStateChangeDetail> _published = new();

    public IReadOnlyList<CircuitStateChangeDetail> Published => [.. _published];

    public Task<bool> PublishAsync(CircuitStateChangeDetail detail, CancellationToken cancellationToken)
    {
        _published.Enqueue(detail);
        return Task.FromResult(true);
    }
}
