using System.Collections.Frozen;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>
/// The relay's fixed header rules, which no setting changes. Every end-to-end header crosses in both directions, as a
/// reverse proxy relays them (RFC 9110 §7.6.1), except: hop-by-hop headers and the headers a <c>Connection</c> header
/// names; on the way in, <c>Host</c> (the downstream's own is sent), <c>Content-Length</c> and <c>Expect</c> (the body
/// is complete and the relay's HTTP client frames it), and every forwarding header (a client can write any of them,
/// and API Gateway adds X-Forwarded-For/-Port/-Proto of its own); on the way out, <c>Content-Length</c> (API Gateway
/// counts the body it sends, except for HEAD) and <c>Date</c> (API Gateway dates the response it sends). API Gateway
/// reserves these headers for itself, see "Reserved headers" in
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html; the ones it adds to
/// a payload 2.0 event (Host, X-Forwarded-For/-Port/-Proto, X-Amzn-Trace-Id) appear in every HTTP API event, as in
/// aws/aws-lambda-dotnet's recorded events (Libraries/test/Amazon.Lambda.AspNetCoreServer.Test/*httpapi-v2*.json).
/// </summary>
internal static class RelayedHeaders
{
    // RFC 9110 §7.6.1 and §7.8: meaningful for one connection only. "Proxy-*" is matched as a prefix below.
    private static readonly string[] HopByHop =
    [
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",

        // Not a header any standard defines, but CGI servers turn it into HTTP_PROXY ("httpoxy", CVE-2016-5385).
        "proxy",
    ];

    private static readonly FrozenSet<string> HopByHopNames = HopByHop.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> NotFromClient =
        HopByHop.Concat(["host", "content-length", "expect", "forwarded"]).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> NotToClient =
        HopByHop.Concat(["content-length", "date"]).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The forwarding headers the relay writes itself when a route asks for them.</summary>
    internal const string XForwardedFor = "x-forwarded-for";

    /// <inheritdoc cref="XForwardedFor"/>
    internal const string XForwardedHost = "x-forwarded-host";

    /// <inheritdoc cref="XForwardedFor"/>
    internal const string XForwardedProto = "x-forwarded-proto";

    /// <inheritdoc cref="XForwardedFor"/>
    internal const string Forwarded = "forwarded";

    /// <summary>True for a hop-by-hop header: never relayed in either direction.</summary>
    public static bool IsHopByHop(string name) => HopByHopNames.Contains(name) || IsProxyHeader(name);

    /// <summary>True for a client header that never reaches the downstream, whatever the route's policy.</summary>
    public static bool IsNeverFromClient(string name) =>
        NotFromClient.Contains(name) || IsProxyHeader(name) || HasPrefix(name, "x-forwarded-");

    /// <summary>True for a downstream header that never reaches the client, whatever the route's policy.</summary>
    public static bool IsNeverToClient(string name) => NotToClient.Contains(name) || IsProxyHeader(name);

    private static bool IsProxyHeader(string name) => HasPrefix(name, "proxy-");

    // The first letter decides most names without a string comparison: this runs for every header of every request.
    private static bool HasPrefix(string name, string lowerPrefix) =>
        name.Length > lowerPrefix.Length && (name[0] | 0x20) == lowerPrefix[0] && name.StartsWith(lowerPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The header names a <c>Connection</c> header's value lists (its connection options).</summary>
    public static void AddConnectionOptions(string connectionValue, HashSet<string> options)
    {
        foreach (var option in connectionValue.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            options.Add(option);
        }
    }
}
