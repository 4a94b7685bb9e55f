using System.Collections.Concurrent;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;

namespace CircuitBreaker.Tests.Support;

/// <summary>An <see cref="IFailurePublisher"/> whose answer the test releases, to hold a publication in flight.</summary>
internal sealed class ControlledFailurePublisher : IFailurePublisher
{
    private readonly ConcurrentQueue<FailureEventDetail> _published = new();
    private readonly TaskCompletionSource<bool> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<FailureEventDetail> Published => [.. _published];

    /// <summary>The budget each publication was given, cancelled or not.</summary>
    public ConcurrentQueue<CancellationToken> Budgets { get; } = new();

    public void Answer(bool published) => _answer.TrySetResult(published);

    public async Task<bool> PublishAsync(FailureEventDetail detail, CancellationToken cancellationToken)
    {
        _published.Enqueue(detail);
        Budgets.Enqueue(cancellationToken);
        try
        {
            return await _answer.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
