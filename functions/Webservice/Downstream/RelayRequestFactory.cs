using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>
/// Turns a client's request into the request the downstream gets, or refuses it. Refused requests never reach
/// the downstream and never count as its failures, so nothing a client sends can open the circuit for others.
/// </summary>
internal static class RelayRequestFactory
{
    /// <summary>The checked request, or why it is refused (exactly one of the two is set).</summary>
    public static (RelayRequest? Request, RequestRejection? Rejection) Prepare(DownstreamRequest request, Uri downstreamUrl, RelayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(downstreamUrl);
        ArgumentNullException.ThrowIfNull(policy);

        // Any token is relayed as it is (HTTP methods are case-sensitive, M-SEARCH included), except CONNECT: HttpClient
        // would try to open a tunnel, and a reverse proxy has no business doing that.
        if (!HttpSyntax.IsToken(request.Method))
        {
            return Refused(400, ProblemTypes.BadRequest, "Bad request", "The method is not an HTTP method token (RFC 9110).");
        }

        if (request.Method.Equals("CONNECT", StringComparison.OrdinalIgnoreCase))
        {
            return Refused(501, ProblemTypes.MethodNotRelayed, "Method not relayed", "CONNECT opens a tunnel, which this relay does not do.");
        }

        if (RequestPathGuard.Check(request.Path, policy.AllowEncodedSlash) is { } pathProblem)
        {
            return Refused(400, ProblemTypes.PathRefused, "Path refused", pathProblem + " Requests must stay under the service's base path.");
        }

        var target = RelayTarget.For(downstreamUrl, request.Path, request.Query, request.KeepsTrailingSlash);
        if (target is null)
        {
            return Refused(400, ProblemTypes.PathRefused, "Path refused", "The path would leave the service's base path.");
        }

        var (headers, dropped) = HeaderFilter.Filter(request, policy);
        return (new RelayRequest(request.Method, target, headers, request.Body, dropped), null);
    }

    private static (RelayRequest?, RequestRejection?) Refused(int status, string type, string title, string detail) =>
        (null, new RequestRejection(status, type, title, detail));
}
