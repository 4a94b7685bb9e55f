namespace CircuitBreaker.Functions.Downstream;

/// <summary>A request to relay to the downstream, taken from the client's request.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The client's raw path; appended to the downstream URL's path.</param>
/// <param name="Query">The client's raw query string, without '?'; empty for none.</param>
/// <param name="Headers">The client's headers (lower-case names); only <see cref="RelayedHeaders.Request"/> are relayed.</param>
/// <param name="Body">The request body, or null.</param>
internal sealed record DownstreamRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    ReadOnlyMemory<byte>? Body);

/// <summary>How a downstream call ended.</summary>
internal enum DownstreamOutcomeKind
{
    /// <summary>The downstream answered with a status below 500.</summary>
    Answered,

    /// <summary>The downstream answered, but with a body larger than the webservice relays. Not a failure of the downstream.</summary>
    ResponseTooLarge,

    /// <summary>No answer within the timeout.</summary>
    TimedOut,

    /// <summary>The connection could not be made or broke.</summary>
    ConnectionFailed,

    /// <summary>The downstream answered with 5xx.</summary>
    ServerError,
}

/// <summary>The result of one downstream call.</summary>
/// <param name="Kind">How the call ended.</param>
/// <param name="Elapsed">How long it took.</param>
/// <param name="StatusCode">The downstream's status, when it answered.</param>
/// <param name="Headers">The relayed response headers (Set-Cookie excluded).</param>
/// <param name="Cookies">The downstream's Set-Cookie values.</param>
/// <param name="Body">The response body (empty unless <see cref="DownstreamOutcomeKind.Answered"/>).</param>
/// <param name="Error">What went wrong, for logs.</param>
internal sealed record DownstreamOutcome(
    DownstreamOutcomeKind Kind,
    TimeSpan Elapsed,
    int? StatusCode = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    IReadOnlyList<string>? Cookies = null,
    ReadOnlyMemory<byte> Body = default,
    string? Error = null)
{
    /// <summary>True for the outcomes that count against the circuit.</summary>
    public bool IsFailure => Kind is DownstreamOutcomeKind.TimedOut or DownstreamOutcomeKind.ConnectionFailed or DownstreamOutcomeKind.ServerError;
}
