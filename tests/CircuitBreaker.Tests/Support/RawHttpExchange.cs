using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CircuitBreaker.Tests.Support;

/// <summary>
/// One HTTP/1.1 exchange written byte for byte on a loopback socket, for request lines no HttpClient would send
/// (absolute-form targets, lower-case or unusual methods). The request asks the server to close, so the response is
/// whatever arrives until the connection ends.
/// </summary>
internal sealed record RawHttpExchange(int StatusCode, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>Sends <paramref name="requestLine"/> (no CRLF) with a Host header and <c>Connection: close</c>, plus <paramref name="extraHeaders"/>.</summary>
    public static async Task<RawHttpExchange> SendAsync(Uri server, string requestLine, CancellationToken cancellationToken, params string[] extraHeaders)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port, cancellationToken);
        var stream = client.GetStream();
        var request = new StringBuilder()
            .Append(requestLine).Append("\r\n")
            .Append("Host: 127.0.0.1:").Append(server.Port).Append("\r\n")
            .Append("Connection: close\r\n");
        foreach (var header in extraHeaders)
        {
            request.Append(header).Append("\r\n");
        }

        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        return Parse(received.ToArray());
    }

    private static RawHttpExchange Parse(byte[] response)
    {
        var headerEnd = response.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            throw new InvalidDataException($"No complete response head in {response.Length} bytes: {Encoding.ASCII.GetString(response)}");
        }

        var lines = Encoding.ASCII.GetString(response, 0, headerEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return new RawHttpExchange(status, headers, response[(headerEnd + 4)..]);
    }
}
