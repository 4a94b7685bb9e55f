using CircuitBreaker.Polly;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>A client's request as the event describes it, not yet checked.</summary>
/// <param name="Method">The HTTP method, as the client spelled it.</param>
/// <param name="Path">The client's raw path; appended to the downstream URL's path once checked.</param>
/// <param name="Query">The client's raw query string, without '?'; empty for none.</param>
/// <param name="Headers">The client's headers (lower-case names), as API Gateway passed them; <see cref="HeaderFilter"/> chooses those relayed.</param>
/// <param name="Cookies">The client's own cookies, one <c>name=value</c> each; sent as one <c>Cookie</c> header.</param>
/// <param name="Body">The request body, or null.</param>
/// <param name="SourceIp">The client's address as API Gateway saw it (<c>requestContext.http.sourceIp</c>), for forwarding headers.</param>
/// <param name="DomainName">The domain name the client called (<c>requestContext.domainName</c>), for forwarding headers.</param>
internal sealed record DownstreamRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyList<string> Cookies,
    ReadOnlyMemory<byte>? Body,
    string? SourceIp = null,
    string? DomainName = null)
{
    /// <summary>
    /// True when <see cref="Path"/> is what followed a stripped route prefix and the client wrote that prefix with a
    /// trailing slash ("/pay/"): the lone "/" left is then appended to the base path, rather than standing for the
    /// downstream URL itself as the bare prefix ("/pay") does.
    /// </summary>
    public bool KeepsTrailingSlash { get; init; }
}

/// <summary>A checked request, ready to send.</summary>
/// <param name="Method">The method, a valid token.</param>
/// <param name="Target">The downstream URL, under the configured base path, exactly as it goes on the request line.</param>
/// <param name="Headers">The headers to send, each writable as one header.</param>
/// <param name="Body">The body, or null.</param>
/// <param name="DroppedHeaders">Names of the client's headers left out because they could not be written safely.</param>
internal sealed record RelayRequest(
    string Method,
    Uri Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte>? Body,
    IReadOnlyList<string> DroppedHeaders)
{
    /// <summary>True for HEAD, whose answer has a Content-Length but no body.</summary>
    public bool IsHead => Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Why a client's request is answered without calling the downstream; not a failure of the downstream.</summary>
/// <param name="Status">The 4xx or 501 status.</param>
/// <param name="Type">The problem type, one of <see cref="Http.ProblemTypes"/>.</param>
/// <param name="Title">The problem's title.</param>
/// <param name="Detail">What is wrong with the request.</param>
internal sealed record RequestRejection(int Status, string Type, string Title, string Detail);

/// <summary>How a downstream call ended.</summary>
internal enum DownstreamOutcomeKind
{
    /// <summary>The downstream answered with a status below 500 (a failure when the route's <c>failureStatusCodes</c> name it, as 429 and 408 by default).</summary>
    Answered,

    /// <summary>The downstream answered, but with a body larger than the webservice relays. Not a failure of the downstream.</summary>
    ResponseTooLarge,

    /// <summary>No answer within the timeout.</summary>
    TimedOut,

    /// <summary>The connection could not be made or broke.</summary>
    ConnectionFailed,

    /// <summary>The downstream answered with 5xx (a failure when the route's <c>failureStatusCodes</c> name it, as they do all by default).</summary>
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
/// <param name="DroppedHeaders">Names of the downstream's headers left out because they could not be written safely.</param>
/// <param name="Failure">What the route's policy makes of the outcome: null when it is not a failure.</param>
internal sealed record DownstreamOutcome(
    DownstreamOutcomeKind Kind,
    TimeSpan Elapsed,
    int? StatusCode = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    IReadOnlyList<string>? Cookies = null,
    ReadOnlyMemory<byte> Body = default,
    string? Error = null,
    IReadOnlyList<string>? DroppedHeaders = null,
    CircuitFailure? Failure = null)
{
    /// <summary>True for the outcomes that count against the circuit: a timeout, a connection error, a status the policy names.</summary>
    public bool IsFailure => Failure is not null;
}
