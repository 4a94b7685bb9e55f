namespace CircuitBreaker.Tests.Support;

/// <summary>Whether an invocation was answered with a response or an error.</summary>
public enum OutcomeKind
{
    /// <summary>Posted to <c>/response</c>.</summary>
    Response,

    /// <summary>Posted to <c>/error</c>.</summary>
    Error,
}
