using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CircuitBreaker.Tests.Events;

/// <summary>
/// The last two steps of SigV4 (string to sign, signature) from a given canonical request: a test
/// oracle for suite cases the SDK signs with one header more than the suite does. It is itself checked
/// against the suite's own string-to-sign and signature files before it is trusted.
/// </summary>
internal static class SigV4Reference
{
    public static string StringToSign(string canonicalRequest, DateTimeOffset signedAt, string region, string service) =>
        string.Join(
            '\n',
            "AWS4-HMAC-SHA256",
            signedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            $"{signedAt.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

    public static string Signature(string stringToSign, string secretAccessKey, DateTimeOffset signedAt, string region, string service)
    {
        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { signedAt.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture), region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>
    /// The canonical request with <c>x-amz-content-sha256</c> (the payload hash, its last line) added to
    /// the canonical headers and the signed-header list, each kept sorted.
    /// </summary>
    public static string WithContentSha256Header(string canonicalRequest)
    {
        var lines = canonicalRequest.Split('\n').ToList();
        var payloadHash = lines[^1];
        var blank = lines.IndexOf(string.Empty, 3);
        var headerLines = lines[3..blank];
        headerLines.Add("x-amz-content-sha256:" + payloadHash);
        headerLines.Sort(StringComparer.Ordinal);
        var signedHeaders = lines[blank + 1].Split(';').Append("x-amz-content-sha256").Order(StringComparer.Ordinal);
        return string.Join('\n', lines[..3].Concat(headerLines).Append(string.Empty).Append(string.Join(';', signedHeaders)).Append(payloadHash));
    }
}
