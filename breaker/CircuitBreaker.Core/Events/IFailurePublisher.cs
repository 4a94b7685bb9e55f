using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Events;

/// <summary>Puts a failure event on the bus.</summary>
public interface IFailurePublisher
{
    /// <summary>
    /// Publishes one failure. Never throws for a fault of the bus: returns false (after bounded retries
    /// within <paramref name="cancellationToken"/>) so that the caller can log it and still answer.
    /// </summary>
    Task<bool> PublishAsync(FailureEventDetail detail, CancellationToken cancellationToken);
}
