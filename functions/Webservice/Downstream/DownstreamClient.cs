using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Polly;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>
/// Calls the protected downstream with a hard timeout and classifies how the call ended. The timeout runs
/// on the injected clock, covers the whole exchange (connect, headers, body), and is the only thing
/// that ends the call early apart from the caller's own cancellation. <paramref name="policy"/> is the route's say in what
/// is relayed (headers, encoded slashes); without one, the settings' defaults apply.
/// </summary>
internal sealed class DownstreamClient(HttpClient http, Uri downstreamUrl, TimeProvider time, RelayPolicy? policy = null)
{
    private readonly RelayPolicy _policy = policy ?? RelayPolicy.Default;

    /// <summary>The largest body relayed back; larger answers become a 502 (Lambda's response limit is 6 MB, base64 grows it by a third).</summary>
    public const int MaxRelayedBodyBytes = 1024 * 1024;

    private static readonly CircuitFailure TimedOut = new(FailureReasons.Timeout);

    private static readonly CircuitFailure ConnectionFailed = new(FailureReasons.ConnectionError);

    /// <summary>Checks a client's request against this downstream: the request to send, or why it is refused.</summary>
    public (RelayRequest? Request, RequestRejection? Rejection) Prepare(DownstreamRequest request) =>
        RelayRequestFactory.Prepare(request, downstreamUrl, _policy);

    /// <summary>
    /// Sends <paramref name="request"/> and waits at most <paramref name="timeout"/>. A timeout, a connection error and an
    /// answer whose status <paramref name="failureStatusCodes"/> names are failures (with the downstream's <c>Retry-After</c>
    /// on a 429 or a 503); any other answer is not.
    /// </summary>
    public async Task<DownstreamOutcome> CallAsync(RelayRequest request, TimeSpan timeout, StatusCodeRanges failureStatusCodes, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var message = BuildMessage(request);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var failure = failureStatusCodes.Contains(status)
                ? CircuitFailure.OfStatus(status, FailureReports.RetryAfterOf(status, response.Headers.RetryAfter, time.GetUtcNow()))
                : (CircuitFailure?)null;
            var body = await ReadBoundedAsync(response.Content, HasNoBody(request, status), linked.Token).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            if (status >= 500)
            {
                return new DownstreamOutcome(DownstreamOutcomeKind.ServerError, elapsed, status, Error: $"downstream answered {status}", Failure: failure);
            }

            if (body is null)
            {
                return new DownstreamOutcome(DownstreamOutcomeKind.ResponseTooLarge, elapsed, status, Error: $"body over {MaxRelayedBodyBytes} bytes", Failure: failure);
            }

            var (headers, cookies, dropped) = HeaderFilter.FilterResponse(response, request.IsHead, _policy);
            return new DownstreamOutcome(DownstreamOutcomeKind.Answered, elapsed, status, headers, cookies, body.Value, DroppedHeaders: dropped, Failure: failure);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new DownstreamOutcome(DownstreamOutcomeKind.TimedOut, time.GetElapsedTime(started), Error: $"no answer within {timeout.TotalMilliseconds:0} ms", Failure: TimedOut);
        }
        catch (HttpRequestException error)
        {
            return new DownstreamOutcome(DownstreamOutcomeKind.ConnectionFailed, time.GetElapsedTime(started), Error: error.Message, Failure: ConnectionFailed);
        }
        catch (IOException error)
        {
            // The connection broke while the body was being read.
            return new DownstreamOutcome(DownstreamOutcomeKind.ConnectionFailed, time.GetElapsedTime(started), Error: error.Message, Failure: ConnectionFailed);
        }
    }

    private static HttpRequestMessage BuildMessage(RelayRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Target);
        if (request.Body is { } body)
        {
            message.Content = new ReadOnlyMemoryContent(body);
        }

        // Every header here has passed HeaderFilter, so adding it unvalidated cannot split it.
        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ReadOnlyMemoryContent(ReadOnlyMemory<byte>.Empty);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    // HEAD, 204 and 304 answers carry no body, whatever their Content-Length says (RFC 9110 §6.4.1).
    private static bool HasNoBody(RelayRequest request, int status) => request.IsHead || status is 204 or 304;

    /// <summary>Reads the body, or returns null when it exceeds <see cref="MaxRelayedBodyBytes"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpContent content, bool hasNoBody, CancellationToken cancellationToken)
    {
        if (hasNoBody)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

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
}
