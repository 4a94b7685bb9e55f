namespace CircuitBreaker.Polly;

/// <summary>
/// Thrown by a protected callback that decided not to make its call at all, e.g. because too little of the caller's time
/// was left once the circuit had admitted it. The breaker counts such a call neither as a success nor as a failure,
/// releases the half-open probe at once when the call was it (so that the next caller anywhere probes instead of
/// waiting out the lease), and passes the exception on to the caller.
/// </summary>
public sealed class CallNotMadeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallNotMadeException()
        : base("The protected call was not made.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the call was not made.</param>
    public CallNotMadeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">Why the call was not made.</param>
    /// <param name="innerException">The cause.</param>
    public CallNotMadeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
