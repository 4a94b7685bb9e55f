namespace CircuitBreaker.Functions.Downstream;

/// <summary>The bits of RFC 9110's grammar the relay checks before anything reaches the wire.</summary>
internal static class HttpSyntax
{
    /// <summary>
    /// True for an RFC 9110 token (methods and field names): one or more of ALPHA, DIGIT and
    /// <c>!#$%&amp;'*+-.^_`|~</c>. Anything else could split a request line or a header.
    /// </summary>
    public static bool IsToken(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True for a field value that can be written as it is: visible ASCII, space and horizontal tab. No CR, LF or
    /// NUL (they would end the header or the header block), no other control character, and none of RFC 9110's
    /// obs-text either: HttpClient refuses a non-ASCII request header by failing the whole request.
    /// </summary>
    public static bool IsFieldValue(string value)
    {
        foreach (var c in value)
        {
            if (c is (< ' ' and not '\t') or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
