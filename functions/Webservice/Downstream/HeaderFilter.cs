using System.Globalization;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>
/// Chooses the headers that cross the relay, in both directions: every end-to-end header, less the fixed rules of
/// <see cref="RelayedHeaders"/> (hop-by-hop, those a <c>Connection</c> header names, Host, forwarding headers, …), less
/// what the route's <see cref="RelayPolicy"/> keeps back, less any header that could not be written as one header: a
/// name that is not a token, or a value with CR, LF, NUL, another control character or a non-ASCII character (which
/// would split the header, make HttpClient refuse the whole request, or reach API Gateway as bytes it cannot send).
/// Unwritable headers are named for a warning; values are never logged. Cookies are checked one by one, so one bad
/// cookie does not cost the client the others.
/// </summary>
internal static class HeaderFilter
{
    private const string CookieHeader = "cookie";
    private const string SetCookieHeader = "set-cookie";

    /// <summary>
    /// The client's headers to send, with the forwarding headers the policy asks for, and the names of those dropped as
    /// unwritable.
    /// </summary>
    public static (IReadOnlyList<KeyValuePair<string, string>> Relayed, IReadOnlyList<string> Dropped) Filter(DownstreamRequest request, RelayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        var relayed = new List<KeyValuePair<string, string>>(request.Headers.Count + 4);
        List<string>? dropped = null;
        var connectionOptions = ConnectionOptions(request.Headers);
        foreach (var (name, value) in request.Headers)
        {
            // Payload 2.0 carries the client's cookies in their own list; a cookie header beside it is API Gateway's copy.
            if (name.Equals(CookieHeader, StringComparison.OrdinalIgnoreCase)
                || RelayedHeaders.IsNeverFromClient(name)
                || connectionOptions?.Contains(name) == true
                || !policy.RelaysRequestHeader(name))
            {
                continue;
            }

            if (HttpSyntax.IsToken(name) && HttpSyntax.IsFieldValue(value))
            {
                relayed.Add(KeyValuePair.Create(name, value));
            }
            else
            {
                (dropped ??= []).Add(name);
            }
        }

        if (request.Cookies.Count > 0 && connectionOptions?.Contains(CookieHeader) != true && policy.RelaysRequestHeader(CookieHeader))
        {
            var goodCookies = new List<string>(request.Cookies.Count);
            foreach (var cookie in request.Cookies)
            {
                if (HttpSyntax.IsFieldValue(cookie))
                {
                    goodCookies.Add(cookie);
                }
                else if (dropped?.Contains(CookieHeader) != true)
                {
                    (dropped ??= []).Add(CookieHeader);
                }
            }

            if (goodCookies.Count > 0)
            {
                relayed.Add(KeyValuePair.Create(CookieHeader, string.Join("; ", goodCookies)));
            }
        }

        if (policy.ForwardedHeaders)
        {
            AddForwarded(request, policy, relayed, ref dropped);
        }

        return (relayed, dropped ?? (IReadOnlyList<string>)[]);
    }

    /// <summary>
    /// The downstream's headers to relay to the client (names in lower case, repeated values comma-joined), its
    /// Set-Cookie values, and the names of those dropped as unwritable. A HEAD answer's Content-Length is kept: it is the
    /// information, the size a GET would return; API Gateway computes the length of every other answer from its body.
    /// </summary>
    public static (Dictionary<string, string> Headers, List<string> Cookies, IReadOnlyList<string> Dropped) FilterResponse(
        HttpResponseMessage response, bool isHead, RelayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(policy);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var cookies = new List<string>();
        List<string>? dropped = null;
        HashSet<string>? connectionOptions = null;
        if (response.Headers.NonValidated.TryGetValues("connection", out var connection))
        {
            connectionOptions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var value in connection)
            {
                RelayedHeaders.AddConnectionOptions(value, connectionOptions);
            }
        }

        Relay(response.Headers);
        Relay(response.Content.Headers);

        if (isHead && response.Content.Headers.ContentLength is { } length)
        {
            headers["content-length"] = length.ToString(CultureInfo.InvariantCulture);
        }

        return (headers, cookies, dropped ?? (IReadOnlyList<string>)[]);

        void Relay(System.Net.Http.Headers.HttpHeaders source)
        {
            foreach (var (name, values) in source.NonValidated)
            {
                if (RelayedHeaders.IsNeverToClient(name) || connectionOptions?.Contains(name) == true || policy.ResponseHeadersToDrop.Contains(name))
                {
                    continue;
                }

                if (name.Equals(SetCookieHeader, StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var cookie in values)
                    {
                        if (HttpSyntax.IsFieldValue(cookie))
                        {
                            cookies.Add(cookie);
                        }
                        else if (dropped?.Contains(SetCookieHeader) != true)
                        {
                            (dropped ??= []).Add(SetCookieHeader);
                        }
                    }

                    continue;
                }

                var lowerName = name.ToLowerInvariant();
                var value = values.Count == 1 ? values.ToString() : string.Join(", ", values);
                if (HttpSyntax.IsFieldValue(value))
                {
                    headers[lowerName] = value;
                }
                else
                {
                    (dropped ??= []).Add(lowerName);
                }
            }
        }
    }

    // X-Forwarded-For/-Host/-Proto and RFC 7239's Forwarded, from what API Gateway saw: its source IP, the domain name
    // the client called, and https (API Gateway's endpoints are HTTPS; its own X-Forwarded-Proto says so in every HTTP
    // API event). The route's drop list still applies.
    private static void AddForwarded(DownstreamRequest request, RelayPolicy policy, List<KeyValuePair<string, string>> relayed, ref List<string>? dropped)
    {
        var sourceIp = Usable(request.SourceIp, RelayedHeaders.XForwardedFor, ref dropped);
        var domainName = Usable(request.DomainName, RelayedHeaders.XForwardedHost, ref dropped);
        Add(RelayedHeaders.XForwardedFor, sourceIp);
        Add(RelayedHeaders.XForwardedHost, domainName);
        Add(RelayedHeaders.XForwardedProto, "https");

        var parts = new List<string>(3);
        if (sourceIp is not null)
        {
            // RFC 7239 §6: an IPv6 node is written in brackets, and so quoted.
            parts.Add("for=" + (sourceIp.Contains(':', StringComparison.Ordinal) ? $"\"[{sourceIp}]\"" : Quoted(sourceIp)));
        }

        if (domainName is not null)
        {
            parts.Add("host=" + Quoted(domainName));
        }

        parts.Add("proto=https");
        Add(RelayedHeaders.Forwarded, string.Join(';', parts));

        void Add(string name, string? value)
        {
            if (value is not null && !policy.RequestHeadersToDrop.Contains(name))
            {
                relayed.Add(KeyValuePair.Create(name, value));
            }
        }
    }

    private static string? Usable(string? value, string header, ref List<string>? dropped)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!HttpSyntax.IsFieldValue(value))
        {
            (dropped ??= []).Add(header);
            return null;
        }

        return value;
    }

    // RFC 7239 §4: a value that is not a token is a quoted-string.
    private static string Quoted(string value) =>
        HttpSyntax.IsToken(value) ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static HashSet<string>? ConnectionOptions(IReadOnlyDictionary<string, string> headers)
    {
        HashSet<string>? options = null;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("connection", StringComparison.OrdinalIgnoreCase))
            {
                RelayedHeaders.AddConnectionOptions(value, options ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase));
            }
        }

        return options;
    }
}
