using System.Buffers;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>The bits of RFC 9110's grammar the relay checks before anything reaches the wire.</summary>
internal static class HttpSyntax
{
    // Searched with vectorised spans: every header of every request crosses these checks.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> FieldValueChars =
        SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// True for an RFC 9110 token (methods and field names): one or more of ALPHA, DIGIT and
    /// <c>!#$%&amp;'*+-.^_`|~</c>. Anything else could split a request line or a header.
    /// </summary>
    public static bool IsToken(string? value) => !string.IsNullOrEmpty(value) && !value.AsSpan().ContainsAnyExcept(TokenChars);

    /// <summary>
    /// True for a field value that can be written as it is: visible ASCII, space and horizontal tab. No CR, LF or
    /// NUL (they would end the header or the header block), no other control character, and none of RFC 9110's
    /// obs-text either: HttpClient refuses a non-ASCII request header by failing the whole request.
    /// </summary>
    public static bool IsFieldValue(string value) => !value.AsSpan().ContainsAnyExcept(FieldValueChars);
}
