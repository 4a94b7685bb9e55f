using System.Buffers;
using System.Text;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>
/// Decides whether a client's raw path may be appended to the downstream's base path. A path is refused when
/// any spelling of it could climb out of the base path on some server: a dot segment (<c>.</c>, <c>..</c>, or
/// only dots), however it is percent-encoded, however many times (<c>%2e</c>, <c>%2E</c>, <c>%252e</c>), with
/// or without a <c>;</c> parameter (<c>..;</c>); a backslash; an encoded slash; a control character; an overlong
/// UTF-8 form or a Unicode character that normalises to a dot, slash, backslash or percent sign; or malformed
/// percent-encoding. Checking every decoding level, rather than choosing one, means no server downstream can
/// decode the path into something this guard did not see. A route with <c>allowEncodedSlash</c> lets the encoded
/// slash through (as Apache's <c>AllowEncodedSlashes NoDecode</c> does); every other rule still holds at every level, so
/// <c>..%2F</c> is still a dot segment once decoded.
/// </summary>
internal static class RequestPathGuard
{
    /// <summary>Decoding stops here: a path still encoded after this many rounds is refused rather than trusted.</summary>
    internal const int MaxDecodingRounds = 4;

    // Characters whose compatibility normalisation (NFKC, as some servers and frameworks apply) is or contains
    // '.', '/', '\' or '%'. Taken from ICU's NFKC over the Basic Multilingual Plane; listed here because
    // the functions run with invariant globalization, where string.Normalize does nothing.
    private static readonly SearchValues<char> Lookalikes = SearchValues.Create(
        "\u2024\u2025\u2026\uFE19\uFE30\uFE52\uFF0E" // dots
        + "\u2100\u2101\u2105\u2106\uFF0F" // slashes (a/c, a/s, c/o, c/u, fullwidth solidus)
        + "\uFE68\uFF3C" // backslashes
        + "\uFE6A\uFF05"); // percent signs

    /// <summary>Null when <paramref name="rawPath"/> is safe to append; otherwise why it is refused, for the client.</summary>
    /// <param name="rawPath">The path as the client sent it.</param>
    /// <param name="allowEncodedSlash">Whether <c>%2F</c> (at any level of encoding) may stay in the path.</param>
    public static string? Check(string rawPath, bool allowEncodedSlash = false)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        if (rawPath.Length == 0 || rawPath[0] != '/')
        {
            return "The request target must be a path starting with '/' (origin form).";
        }

        var level = Encoding.UTF8.GetBytes(rawPath);
        if (!HasWellFormedPercentEncoding(level))
        {
            return "The path has a '%' that is not followed by two hexadecimal digits.";
        }

        var slashes = level.Count(b => b == '/');
        for (var round = 0; ; round++)
        {
            var problem = CheckLevel(level, allowEncodedSlash ? -1 : slashes);
            if (problem is not null)
            {
                return problem;
            }

            var decoded = PercentDecode(level);
            if (decoded.AsSpan().SequenceEqual(level))
            {
                return null;
            }

            if (round == MaxDecodingRounds)
            {
                return $"The path is still percent-encoded after {MaxDecodingRounds} rounds of decoding.";
            }

            level = decoded;
        }
    }

    // rawSlashes < 0: encoded slashes are allowed, so the count of slashes may grow as the path is decoded.
    private static string? CheckLevel(byte[] level, int rawSlashes)
    {
        foreach (var b in level)
        {
            if (b < 0x20 || b == 0x7F)
            {
                return "The path contains a control character.";
            }

            if (b == '\\')
            {
                return "The path contains a backslash, which some servers read as '/'.";
            }
        }

        if (rawSlashes >= 0 && level.Count(b => b == '/') != rawSlashes)
        {
            return "The path contains an encoded slash (%2F).";
        }

        if (HasOverlongUtf8(level))
        {
            return "The path contains an overlong UTF-8 sequence.";
        }

        if (HasDotSegment(level))
        {
            return "The path contains a dot segment ('.' or '..'), which would leave the downstream's base path.";
        }

        var text = Encoding.UTF8.GetString(level);
        return text.AsSpan().ContainsAny(Lookalikes)
            ? "The path contains a character that normalises to '.', '/', '\\' or '%'."
            : null;
    }

    // A segment is a dot segment when, without its ';' parameters (Tomcat and Jetty drop them), it is only dots and
    // spaces: ".", "..", "..." and ".. " all reach a parent directory on some server.
    private static bool HasDotSegment(byte[] level)
    {
        var start = 0;
        while (start <= level.Length)
        {
            var end = Array.IndexOf(level, (byte)'/', start);
            if (end < 0)
            {
                end = level.Length;
            }

            var segment = level.AsSpan(start, end - start);
            var parameters = segment.IndexOf((byte)';');
            if (parameters >= 0)
            {
                segment = segment[..parameters];
            }

            if (segment.Contains((byte)'.') && !segment.ContainsAnyExcept((byte)'.', (byte)' '))
            {
                return true;
            }

            start = end + 1;
        }

        return false;
    }

    // Overlong forms (C0 AE is '.', C0 AF is '/') were decoded as ASCII by old servers; valid UTF-8 never has them.
    private static bool HasOverlongUtf8(byte[] level)
    {
        for (var i = 0; i + 1 < level.Length; i++)
        {
            var (lead, next) = (level[i], level[i + 1]);
            if ((lead is 0xC0 or 0xC1 && next is >= 0x80 and <= 0xBF)
                || (lead == 0xE0 && next is >= 0x80 and <= 0x9F)
                || (lead == 0xF0 && next is >= 0x80 and <= 0x8F))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasWellFormedPercentEncoding(byte[] raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '%' && (i + 2 >= raw.Length || !IsHex(raw[i + 1]) || !IsHex(raw[i + 2])))
            {
                return false;
            }
        }

        return true;
    }

    // One round of percent-decoding; a '%' without two hex digits after it is kept as it is.
    private static byte[] PercentDecode(byte[] level)
    {
        var output = new List<byte>(level.Length);
        for (var i = 0; i < level.Length; i++)
        {
            if (level[i] == '%' && i + 2 < level.Length && IsHex(level[i + 1]) && IsHex(level[i + 2]))
            {
                output.Add((byte)((HexValue(level[i + 1]) << 4) | HexValue(level[i + 2])));
                i += 2;
            }
            else
            {
                output.Add(level[i]);
            }
        }

        return [.. output];
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
