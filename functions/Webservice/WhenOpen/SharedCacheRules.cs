using System.Security.Cryptography;
using System.Text;
using CircuitBreaker.Functions.Webservice.Downstream;

namespace CircuitBreaker.Functions.Webservice.WhenOpen;

/// <summary>
/// What <c>whenOpen: stale</c> may store and serve, by RFC 9111's rules for a <em>shared</em> cache (one answer may
/// reach every client of the route), with the citations in docs/design.md ("When the circuit is open"):
/// <list type="bullet">
/// <item>Only GET answers are stored (§3: a method the cache understands and defines as cacheable); a HEAD is answered
/// from the GET's answer without its body (§4: a stored GET answer may satisfy HEAD), so a HEAD never stores anything
/// a GET could get. Methods are case-sensitive (RFC 9110 §9.1): <c>get</c> is not GET.</item>
/// <item>Only 200, 203 and 204: final, successful, and heuristically cacheable (RFC 9110 §15.1), so storable without
/// explicit freshness (§3). 206 is left out: a partial answer is not the answer to the request (§3.3).</item>
/// <item>Never with <c>no-store</c> in the request or the answer (§3, §5.2.1.5, §5.2.2.5), never <c>private</c> in
/// either form (§5.2.2.7: a shared cache must not store it), never <c>no-cache</c> (§5.2.2.4: it must be revalidated
/// before each use, which is impossible while the circuit is open), never with a <c>Set-Cookie</c> (stricter than §7.3,
/// which leaves it to the origin's Cache-Control), never
/// <c>Vary: *</c> (§4.1: it matches no request).</item>
/// <item>A request with <c>Authorization</c> only when the answer says <c>public</c>, <c>s-maxage</c> or
/// <c>must-revalidate</c> (§3.5). Stricter than the RFC: a request with cookies is treated alike unless the answer
/// varies on <c>Cookie</c>, since an origin that personalises by cookie and forgets <c>private</c> is common. The same
/// rule decides whether a stored answer is served to such a request.</item>
/// <item><c>Vary</c> is honoured (§4.1): the varied request headers' values are the answer's secondary key (hashed in the
/// table, since they may be credentials), and a request with other values is not served.</item>
/// <item>An answer with <c>must-revalidate</c>, <c>proxy-revalidate</c> or <c>s-maxage</c> is served only while fresh
/// (§4.2.4: a cache must not serve it stale; §4.2.1: lifetime from s-maxage, then max-age, else none); a request with
/// <c>no-cache</c> (or <c>Pragma: no-cache</c>, §5.4) is not served from storage (§5.2.1.4).</item>
/// <item>A successful unsafe request (POST, PUT, DELETE, …) invalidates the stored answer of its URL (§4.4).</item>
/// </list>
/// Headers are read as the relay sends them: a header the route keeps from the downstream cannot have changed its answer.
/// </summary>
internal static class SharedCacheRules
{
    /// <summary>The header that marks an answer served from storage; its value says why (see <see cref="StaleReason"/>).</summary>
    public const string StaleHeader = "circuit-breaker-stale";

    private const string Get = "GET";
    private const string Head = "HEAD";

    /// <summary>True for the methods answered from storage: GET and HEAD, spelled so.</summary>
    public static bool IsServedMethod(string method) => method is Get or Head;

    /// <summary>True for a method whose success invalidates the stored answer of its URL (RFC 9110 §9.2.1: not safe).</summary>
    public static bool IsUnsafe(string method) => method is not (Get or Head or "OPTIONS" or "TRACE");

    /// <summary>The primary key of a request: GET and the URL exactly as the downstream was (or would be) asked for it.</summary>
    public static string RequestKey(RelayRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Get + " " + request.Target.AbsoluteUri;
    }

    /// <summary>Why an answer came from storage, as <see cref="StaleHeader"/> says it.</summary>
    public static string StaleReason(RelayRefusal refusal) => refusal switch
    {
        RelayRefusal.CircuitOpen => "circuit-open",
        RelayRefusal.CircuitIsolated => "circuit-isolated",
        _ => "call-failed",
    };

    /// <summary>The answer's <c>Vary</c> names in lower case, sorted; null for <c>Vary: *</c>.</summary>
    public static IReadOnlyList<string>? VaryNames(string? vary)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in (vary ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (name == "*")
            {
                return null;
            }

            names.Add(name.ToLowerInvariant());
        }

        return [.. names];
    }

    /// <summary>
    /// The secondary key of <paramref name="request"/> for an answer varying on <paramref name="varyNames"/>: SHA-256 of a
    /// <c>name: value</c> line per name (a header sent several times joined by ", "; an absent one as its name alone), hex.
    /// Empty when the answer varies on nothing.
    /// </summary>
    public static string VariedHeaders(RelayRequest request, IReadOnlyList<string> varyNames)
    {
        if (varyNames.Count == 0)
        {
            return string.Empty;
        }

        var lines = new StringBuilder();
        foreach (var name in varyNames)
        {
            var value = RequestHeader(request, name);
            lines.Append(name);
            if (value is not null)
            {
                lines.Append(": ").Append(value.Trim());
            }

            lines.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString())));
    }

    /// <summary>Why the answer to <paramref name="request"/> may not be stored; null when it may.</summary>
    public static string? WhyNotStored(RelayRequest request, DownstreamOutcome answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answer);
        if (request.Method != Get)
        {
            return "not a GET";
        }

        if (answer.StatusCode is not (200 or 203 or 204))
        {
            return "status not stored";
        }

        var headers = answer.Headers ?? new Dictionary<string, string>();
        var directives = CacheDirectives.Parse(Header(headers, "cache-control"));
        if (directives.Has("no-store") || directives.Has("private") || directives.Has("no-cache"))
        {
            return "cache-control forbids it";
        }

        if (RequestDirectives(request).Has("no-store"))
        {
            return "the request says no-store";
        }

        if (answer.Cookies is { Count: > 0 } || Header(headers, "set-cookie") is not null)
        {
            return "set-cookie";
        }

        var vary = VaryNames(Header(headers, "vary"));
        if (vary is null)
        {
            return "vary: *";
        }

        return CarriesCredentials(request, vary) && !SharesWithCredentials(directives) ? "credentials" : null;
    }

    /// <summary>
    /// Null when the answer stored with <paramref name="storedHeaders"/> and <paramref name="storedVaried"/> may answer <paramref name="request"/> at <paramref name="age"/> (its age now,
    /// the downstream's own <c>Age</c> included); otherwise why not. The key, the expiry and <c>staleSeconds</c> are the
    /// caller's to check.
    /// </summary>
    public static string? WhyNotServed(RelayRequest request, IReadOnlyList<KeyValuePair<string, string>> storedHeaders, string storedVaried, TimeSpan age)
    {
        if (!IsServedMethod(request.Method))
        {
            return "not a GET or HEAD";
        }

        var requestDirectives = RequestDirectives(request);
        if (requestDirectives.Has("no-cache") || requestDirectives.Has("no-store"))
        {
            return "the request says no-cache";
        }

        var vary = VaryNames(Header(storedHeaders, "vary"));
        if (vary is null || !string.Equals(VariedHeaders(request, vary), storedVaried, StringComparison.Ordinal))
        {
            return "varied headers differ";
        }

        var directives = CacheDirectives.Parse(Header(storedHeaders, "cache-control"));
        if (CarriesCredentials(request, vary) && !SharesWithCredentials(directives))
        {
            return "credentials";
        }

        if (directives.Has("must-revalidate") || directives.Has("proxy-revalidate") || directives.Has("s-maxage"))
        {
            var lifetime = directives.Seconds("s-maxage") ?? directives.Seconds("max-age") ?? TimeSpan.Zero;
            if (age >= lifetime)
            {
                return "must not be served stale";
            }
        }

        return null;
    }

    /// <summary>The downstream's <c>Age</c> (RFC 9111 §5.1): its delta-seconds, 0 when absent or not a number.</summary>
    public static TimeSpan AgeOf(IEnumerable<KeyValuePair<string, string>> headers) =>
        long.TryParse(Header(headers, "age"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue))
            : TimeSpan.Zero;

    /// <summary>The value of header <paramref name="name"/> (any case), several lines joined by ", "; null when absent.</summary>
    public static string? Header(IEnumerable<KeyValuePair<string, string>> headers, string name)
    {
        string? joined = null;
        foreach (var (key, value) in headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                joined = joined is null ? value : joined + ", " + value;
            }
        }

        return joined;
    }

    private static string? RequestHeader(RelayRequest request, string name) => Header(request.Headers, name);

    private static CacheDirectives RequestDirectives(RelayRequest request)
    {
        var cacheControl = RequestHeader(request, "cache-control");

        // RFC 9111 §5.4: without Cache-Control, Pragma: no-cache means Cache-Control: no-cache.
        return cacheControl is null && RequestHeader(request, "pragma") is { } pragma
            && pragma.Split(',', StringSplitOptions.TrimEntries).Contains("no-cache", StringComparer.OrdinalIgnoreCase)
            ? CacheDirectives.Parse("no-cache")
            : CacheDirectives.Parse(cacheControl);
    }

    // Authorization, or cookies the answer does not vary on: what may make the downstream's answer one user's own.
    private static bool CarriesCredentials(RelayRequest request, IReadOnlyList<string> vary) =>
        RequestHeader(request, "authorization") is not null
        || (RequestHeader(request, "cookie") is not null && !vary.Contains("cookie", StringComparer.Ordinal));

    // RFC 9111 §3.5: the directives that let a shared cache store (and reuse) the answer to a request with Authorization.
    private static bool SharesWithCredentials(CacheDirectives directives) =>
        directives.Has("public") || directives.Has("s-maxage") || directives.Has("must-revalidate");
}
