namespace CircuitBreaker.Contract;

/// <summary>
/// Hides the user information (<c>user:password@</c>) of a URL-like string before it is printed, so that an
/// error message or a log line about a mistyped <c>downstreamUrl</c> never repeats a password.
/// </summary>
public static class UrlRedaction
{
    /// <summary>What replaces the user information.</summary>
    public const string Mask = "***";

    /// <summary>
    /// <paramref name="raw"/> with anything between <c>//</c> and the last <c>@</c> of the authority replaced by
    /// <see cref="Mask"/>; unchanged when it has no user information. Works on strings that are not valid URLs too,
    /// since those are the ones error messages quote.
    /// </summary>
    public static string WithoutUserInfo(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var start = raw.IndexOf("//", StringComparison.Ordinal);
        if (start < 0)
        {
            // No authority marker: a lone '@' may still separate credentials ("user:pw@host"), so hide what precedes it.
            var bare = raw.LastIndexOf('@');
            return bare < 0 ? raw : Mask + raw[bare..];
        }

        start += 2;
        var end = raw.IndexOfAny(['/', '?', '#', '\\'], start);
        var authority = end < 0 ? raw[start..] : raw[start..end];
        var at = authority.LastIndexOf('@');
        return at < 0 ? raw : string.Concat(raw.AsSpan(0, start), Mask, raw.AsSpan(start + at));
    }

    /// <summary>True when <paramref name="raw"/> carries user information that <see cref="WithoutUserInfo"/> would hide.</summary>
    public static bool HasUserInfo(string raw) => !string.Equals(WithoutUserInfo(raw), raw, StringComparison.Ordinal);
}
