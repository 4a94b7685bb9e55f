using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CircuitBreaker.Tests.Support;

/// <summary>A request exactly as it arrived on the wire: the request line, each header line, the body's bytes.</summary>
internal sealed record RawRequest(string RequestLine, IReadOnlyList<string> HeaderLines, byte[] Body)
{
    public string Method => RequestLine.Split(' ')[0];

    /// <summary>The request target, as written (no decoding, no normalisation).</summary>
    public string Target => RequestLine.Split(' ')[1];

    /// <summary>Values of every header line named <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> Values(string name) =>
        [.. HeaderLines.Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim())];

    public bool Has(string name) => Values(name).Count > 0;
}

/// <summary>
/// An HTTP/1.1 server on 127.0.0.1 and a free port that records what it received byte for byte (request line,
/// header lines, body) and answers each request with the test's raw response bytes, then closes the connection.
/// Unlike Kestrel, it neither normalises nor rejects anything, so a test sees exactly what a relay sent.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawRequest, byte[]> _answer;
    private readonly ConcurrentQueue<RawRequest> _received = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private RawHttpServer(Func<RawRequest, byte[]> answer)
    {
        _answer = answer;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public IReadOnlyList<RawRequest> Received => [.. _received];

    /// <summary>Starts a server answering with <paramref name="answer"/> (see <see cref="Response"/>).</summary>
    public static RawHttpServer Start(Func<RawRequest, byte[]> answer) => new(answer);

    /// <summary>A server answering 200 with an empty text body.</summary>
    public static RawHttpServer StartOk() => Start(_ => Response(200, "text/plain", []));

    /// <summary>Response bytes: status line, the given header lines, Content-Length, Connection: close, body.</summary>
    public static byte[] Response(int status, string? contentType, byte[] body, params string[] headerLines)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} X\r\n");
        if (contentType is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
        }

        foreach (var line in headerLines)
        {
            head.Append(line).Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body];
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception stopped) when (stopped is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }

                _received.Enqueue(request);
                await stream.WriteAsync(_answer(request), _stopping.Token);
            }
            catch (Exception gone) when (gone is IOException or SocketException or OperationCanceledException)
            {
                // The relay hung up or the test ended.
            }
        }
    }

    private async Task<RawRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfBlankLine(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, _stopping.Token);
            if (read == 0)
            {
                return null;
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }

        var lines = Encoding.Latin1.GetString([.. buffer.Take(headEnd)]).Split("\r\n");
        var headers = lines.Skip(1).ToList();
        var length = headers.Where(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["content-length:".Length..].Trim(), CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var body = buffer.Skip(headEnd + 4).ToList();
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk, _stopping.Token);
            if (read == 0)
            {
                break;
            }

            body.AddRange(chunk.AsSpan(0, read));
        }

        return new RawRequest(lines[0], headers, [.. body]);
    }

    private static int IndexOfBlankLine(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
