namespace CircuitBreaker.Functions.Downstream;

/// <summary>
/// Calls the protected downstream with a hard timeout and classifies how the call ended. The timeout runs
/// on the injected clock, covers the whole exchange (connect, headers, body), and is the only thing
/// that ends the call early apart from the caller's own cancellation.
/// </summary>
internal sealed class DownstreamClient(HttpClient http, Uri downstreamUrl, TimeProvider time)
{
    /// <summary>The largest body relayed back; larger answers become a 502 (Lambda's response limit is 6 MB, base64 grows it by a third).</summary>
    public const int MaxRelayedBodyBytes = 1024 * 1024;

    /// <summary>Sends <paramref name="request"/> and waits at most <paramref name="timeout"/>.</summary>
    public async Task<DownstreamOutcome> CallAsync(DownstreamRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var message = BuildMessage(request);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var body = await ReadBoundedAsync(response.Content, linked.Token).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            if (status >= 500)
            {
                return new DownstreamOutcome(DownstreamOutcomeKind.ServerError, elapsed, status, Error: $"downstream answered {status}");
            }

            if (body is null)
            {
                return new DownstreamOutcome(DownstreamOutcomeKind.ResponseTooLarge, elapsed, status, Error: $"body over {MaxRelayedBodyBytes} bytes");
            }

            var (headers, cookies) = RelayableHeaders(response);
            return new DownstreamOutcome(DownstreamOutcomeKind.Answered, elapsed, status, headers, cookies, body.Value);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new DownstreamOutcome(DownstreamOutcomeKind.TimedOut, time.GetElapsedTime(started), Error: $"no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException error)
        {
            return new DownstreamOutcome(DownstreamOutcomeKind.ConnectionFailed, time.GetElapsedTime(started), Error: error.Message);
        }
        catch (IOException error)
        {
            // The connection broke while the body was being read.
            return new DownstreamOutcome(DownstreamOutcomeKind.ConnectionFailed, time.GetElapsedTime(started), Error: error.Message);
        }
    }

    /// <summary>The downstream URL for a client's path and query.</summary>
    internal Uri TargetFor(string path, string query)
    {
        var builder = new UriBuilder(downstreamUrl);
        if (path.Length > 1)
        {
            builder.Path = builder.Path.TrimEnd('/') + (path[0] == '/' ? path : "/" + path);
        }

        if (query.Length > 0)
        {
            builder.Query = query;
        }

        return builder.Uri;
    }

    private HttpRequestMessage BuildMessage(DownstreamRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), TargetFor(request.Path, request.Query));
        if (request.Body is { } body)
        {
            message.Content = new ReadOnlyMemoryContent(body);
        }

        foreach (var (name, value) in request.Headers)
        {
            if (!RelayedHeaders.Request.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ReadOnlyMemoryContent(ReadOnlyMemory<byte>.Empty);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    /// <summary>Reads the body, or returns null when it exceeds <see cref="MaxRelayedBodyBytes"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxRelayedBodyBytes)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxRelayedBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        }
    }

    private static (IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> Cookies) RelayableHeaders(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var cookies = new List<string>();
        foreach (var (name, values) in response.Headers.Concat<KeyValuePair<string, IEnumerable<string>>>(response.Content.Headers))
        {
            if (name.Equals("set-cookie", StringComparison.OrdinalIgnoreCase))
            {
                cookies.AddRange(values);
            }
            else if (RelayedHeaders.Response.Contains(name))
            {
                headers[name.ToLowerInvariant()] = string.Join(", ", values);
            }
        }

        return (headers, cookies);
    }
}
