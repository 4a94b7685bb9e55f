using System.Text;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>
/// Builds the downstream URL for a client's raw path and query: the path appended to the base path, the query
/// (or, when the client sends none, the configured one). The result is exactly what goes on the request line:
/// characters that may not appear there are percent-encoded, and <see cref="Uri"/> is told not to unescape or
/// remove dot segments, so nothing that <see cref="RequestPathGuard"/> checked is rewritten afterwards.
/// </summary>
internal static class RelayTarget
{
    private static readonly UriCreationOptions AsWritten = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>
    /// The target for a path that <see cref="RequestPathGuard.Check"/> accepted, or null when the result would not be
    /// under the base path (a last check that does not rely on the guard alone). The path "/" is the downstream URL
    /// itself, unless <paramref name="keepsTrailingSlash"/> says it is a slash to append.
    /// </summary>
    public static Uri? For(Uri downstreamUrl, string rawPath, string rawQuery, bool keepsTrailingSlash = false)
    {
        ArgumentNullException.ThrowIfNull(downstreamUrl);
        var basePath = downstreamUrl.AbsolutePath;
        var path = rawPath.Length > 1 || keepsTrailingSlash ? basePath.TrimEnd('/') + Escape(rawPath, IsPathChar) : basePath;
        var query = rawQuery.Length > 0 ? "?" + Escape(rawQuery, IsQueryChar) : downstreamUrl.Query;
        var target = new Uri(downstreamUrl.GetLeftPart(UriPartial.Authority) + path + query, AsWritten);
        return IsUnder(target.AbsolutePath, basePath) ? target : null;
    }

    /// <summary>True when <paramref name="path"/> is the base path or lies below it.</summary>
    internal static bool IsUnder(string path, string basePath)
    {
        var root = basePath.TrimEnd('/');
        return root.Length == 0
            ? path.StartsWith('/')
            : path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
    }

    // Everything outside the allowed set is percent-encoded as UTF-8; '%' stays, since the guard has checked it.
    private static string Escape(string value, Func<char, bool> allowed)
    {
        var builder = new StringBuilder(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (allowed(c))
            {
                builder.Append(c);
                continue;
            }

            var length = char.IsSurrogatePair(value, i)
                ? Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    // RFC 3986: pchar plus '/': unreserved, sub-delims, ':' and '@'.
    private static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@' or '/' or '%';

    // RFC 3986: pchar plus '/' and '?'.
    private static bool IsQueryChar(char c) => IsPathChar(c) || c == '?';
}
