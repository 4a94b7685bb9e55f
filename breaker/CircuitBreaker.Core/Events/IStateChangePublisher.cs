using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Events;

/// <summary>Puts a circuit's state change on the bus (<see cref="StateChangeEvents"/>).</summary>
public interface IStateChangePublisher
{
    /// <summary>
    /// Publishes one transition. Never throws for a fault of the bus: returns false (after bounded retries
    /// within <paramref name="cancellationToken"/>), having logged why.
    /// </summary>
    Task<bool> PublishAsync(CircuitStateChangeDetail detail, CancellationToken cancellationToken);
}
