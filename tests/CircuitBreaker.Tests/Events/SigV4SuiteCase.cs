using System.Globalization;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests.Events;

/// <summary>
/// One case of AWS's SigV4 test suite (<c>../shared/testdata/sigv4/&lt;case&gt;/</c>): its context, the
/// request to sign, and the expected canonical request, string to sign and signature.
/// </summary>
internal sealed class SigV4SuiteCase
{
    private SigV4SuiteCase(string directory)
    {
        Directory = directory;
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "context.json")));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");
        AccessKeyId = credentials.GetProperty("access_key_id").GetString()!;
        SecretAccessKey = credentials.GetProperty("secret_access_key").GetString()!;
        SessionToken = credentials.TryGetProperty("token", out var token) ? token.GetString() : null;
        Region = root.GetProperty("region").GetString()!;
        Service = root.GetProperty("service").GetString()!;
        SignBody = root.GetProperty("sign_body").GetBoolean();
        Timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        RequestText = File.ReadAllText(Path.Combine(directory, "request.txt"));
        ExpectedCanonicalRequest = File.ReadAllText(Path.Combine(directory, "header-canonical-request.txt"));
        ExpectedStringToSign = File.ReadAllText(Path.Combine(directory, "header-string-to-sign.txt"));
        ExpectedSignature = File.ReadAllText(Path.Combine(directory, "header-signature.txt")).Trim();
    }

    public string Directory { get; }

    public string AccessKeyId { get; }

    public string SecretAccessKey { get; }

    public string? SessionToken { get; }

    public string Region { get; }

    public string Service { get; }

    /// <summary>In the suite's terms: whether <c>x-amz-content-sha256</c> is added and signed.</summary>
    public bool SignBody { get; }

    public DateTimeOffset Timestamp { get; }

    public string RequestText { get; }

    public string ExpectedCanonicalRequest { get; }

    public string ExpectedStringToSign { get; }

    public string ExpectedSignature { get; }

    /// <summary>The suite's folder, or null when the shared test data is not next to the repository.</summary>
    public static string? SuiteDirectory()
    {
        var root = RepositoryRoot.Find(AppContext.BaseDirectory);
        if (root is null)
        {
            return null;
        }

        var suite = Path.GetFullPath(Path.Combine(root, "..", "shared", "testdata", "sigv4"));
        return System.IO.Directory.Exists(suite) ? suite : null;
    }

    public static SigV4SuiteCase Load(string suiteDirectory, string name) => new(Path.Combine(suiteDirectory, name));

    /// <summary>
    /// The request as an <see cref="HttpRequestMessage"/>: request line, headers (repeated names added as
    /// repeated values, content headers on the content), and the body after the blank line.
    /// </summary>
    public HttpRequestMessage ToHttpRequest()
    {
        var lines = RequestText.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var headers = new List<(string Name, string Value)>();
        var index = 1;
        for (; index < lines.Length && lines[index].Length > 0; index++)
        {
            var colon = lines[index].IndexOf(':', StringComparison.Ordinal);
            headers.Add((lines[index][..colon], lines[index][(colon + 1)..]));
        }

        var body = index + 1 < lines.Length ? string.Join('\n', lines[(index + 1)..]) : string.Empty;
        var host = headers.Single(h => h.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value.Trim();
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"https://{host}{target}"));
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        }

        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value.Trim();
            }
            else if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                // Content-Length comes from the body itself; the others belong on the content.
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content!.Headers.TryAddWithoutValidation(name, value);
                }
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
