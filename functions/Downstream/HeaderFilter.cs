namespace CircuitBreaker.Functions.Downstream;

/// <summary>
/// Chooses the client's headers that go to the downstream: those on <see cref="RelayedHeaders.Request"/>, minus
/// any the client's <c>Connection</c> header names (hop-by-hop by RFC 9110 §7.6.1), minus any that could not be
/// written as one header: a name that is not a token, or a value with CR, LF, NUL, another control character or a
/// non-ASCII character (which would split the header, or make HttpClient refuse the whole request, and a refused
/// request must not count as a failure of the downstream). Cookies are checked one by one, so one bad cookie does
/// not cost the client the others.
/// </summary>
internal static class HeaderFilter
{
    /// <summary>The headers to send and the names of those dropped as unwritable (for a warning; values are never logged).</summary>
    public static (IReadOnlyList<KeyValuePair<string, string>> Relayed, IReadOnlyList<string> Dropped) Filter(
        IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> cookies)
    {
        var relayed = new List<KeyValuePair<string, string>>();
        var dropped = new List<string>();
        var connectionOptions = ConnectionOptions(headers);
        foreach (var (name, value) in headers)
        {
            if (!RelayedHeaders.Request.Contains(name) || connectionOptions.Contains(name) || name.Equals("cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (IsWritable(name, value))
            {
                relayed.Add(KeyValuePair.Create(name, value));
            }
            else
            {
                dropped.Add(name);
            }
        }

        var goodCookies = new List<string>(cookies.Count);
        foreach (var cookie in cookies)
        {
            if (HttpSyntax.IsFieldValue(cookie))
            {
                goodCookies.Add(cookie);
            }
            else if (!dropped.Contains("cookie"))
            {
                dropped.Add("cookie");
            }
        }

        if (goodCookies.Count > 0 && !connectionOptions.Contains("cookie"))
        {
            relayed.Add(KeyValuePair.Create("cookie", string.Join("; ", goodCookies)));
        }

        return (relayed, dropped);
    }

    private static bool IsWritable(string name, string value) => HttpSyntax.IsToken(name) && HttpSyntax.IsFieldValue(value);

    private static HashSet<string> ConnectionOptions(IReadOnlyDictionary<string, string> headers)
    {
        var options = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (name.Equals("connection", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var option in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    options.Add(option);
                }
            }
        }

        return options;
    }
}
