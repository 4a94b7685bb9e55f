using System.Collections.Concurrent;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;

namespace CircuitBreaker.Tests.Support;

/// <summary>An <see cref="IFailurePublisher"/> that keeps what it is given, for tests of the webservice's decisions.</summary>
internal sealed class RecordingFailurePublisher(bool succeeds = true) : IFailurePublisher
{
    private readonly ConcurrentQueue<FailureEventDetail> _published = new();

    public IReadOnlyList<FailureEventDetail> Published => [.. _published];

    public Task<bool> PublishAsync(FailureEventDetail detail, CancellationToken cancellationToken)
    {
        _published.Enqueue(detail);
        return Task.FromResult(succeeds);
    }
}
