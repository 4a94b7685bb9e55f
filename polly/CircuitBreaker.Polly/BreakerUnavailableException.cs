using Polly.CircuitBreaker;

namespace CircuitBreaker.Polly;

/// <summary>
/// The call was refused because the circuit's own store could not be consulted and <c>FailOpen</c> is false. A
/// <see cref="BrokenCircuitException"/>, so code that handles those handles this too; catch it first to tell "the breaker
/// is down" from "the dependency is down" (the webservice answers it with its own 503, <c>breaker-unavailable</c>).
/// </summary>
public sealed class BreakerUnavailableException : BrokenCircuitException
{
    /// <summary>Creates the exception.</summary>
    public BreakerUnavailableException()
        : base("The circuit's store could not be consulted and FailOpen is false, so the call was refused.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was refused, and why.</param>
    public BreakerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the store's fault.</summary>
    /// <param name="message">What was refused, and why.</param>
    /// <param name="innerException">What went wrong with the store.</param>
    public BreakerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
