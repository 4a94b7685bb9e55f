using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;
using Amazon.Runtime.Identity;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Aws.EventBridge;

/// <summary>
/// Puts events (failures, state changes, any detail with source-generated JSON metadata) on the bus with EventBridge's <c>PutEvents</c> (JSON 1.1 protocol) over a plain
/// <see cref="HttpClient"/>, signed by <see cref="RequestSigner"/>. Why not AWSSDK.EventBridge: docs/design.md,
/// "Why our own Runtime API client and PutEvents client".
/// </summary>
/// <remarks>
/// Retries, with full-jitter exponential backoff, what another attempt may cure: an entry EventBridge
/// reports failed (<c>FailedEntryCount</c> &gt; 0), throttling, 5xx, a broken connection. Other errors
/// (bad credentials, validation) give up at once. When the caller's token is cancelled it stops at once
/// and returns false rather than throwing: the webservice's token is its own deadline, and an answer
/// without the event beats no answer, so callers need no try/catch around a publish.
/// </remarks>
public sealed class PutEventsClient : IFailurePublisher, IStateChangePublisher, IDisposable
{
    /// <summary>The signing name of EventBridge.</summary>
    internal const string SigningService = "events";

    /// <summary>The JSON 1.1 operation header's value for PutEvents.</summary>
    internal const string Target = "AWSEvents.PutEvents";

    /// <summary>The JSON 1.1 protocol's content type.</summary>
    internal const string ContentType = "application/x-amz-json-1.1";

    private readonly HttpClient _http;
    private readonly PutEventsClientOptions _options;
    private readonly RequestSigner _signer;
    private readonly TimeProvider _time;
    private readonly FunctionLog _log;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client putting events on <see cref="PutEventsClientOptions.EventBusName"/>.</summary>
    /// <param name="http">Sends the requests; its handler should not follow redirects (a redirect is not re-signed).</param>
    /// <param name="options">Endpoint, region, bus and retry bounds.</param>
    /// <param name="credentials">
    /// Resolved on every attempt: <c>new DefaultAWSCredentialsIdentityResolver()</c> in Lambda (it reads
    /// <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c> and caches),
    /// a <see cref="FixedCredentialsResolver"/> for the local host and tests.
    /// </param>
    /// <param name="time">The clock for signing dates, backoff and elapsed times.</param>
    /// <param name="log">Receives one Warn line per event given up on.</param>
    /// <param name="ownsHttp">True when <paramref name="http"/> is the client's own, disposed with it.</param>
    internal PutEventsClient(
        HttpClient http,
        PutEventsClientOptions options,
        IIdentityResolver<AWSCredentials> credentials,
        TimeProvider time,
        FunctionLog log,
        bool ownsHttp = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1, nameof(options));
        _http = http;
        _options = options;
        _signer = new RequestSigner(credentials, options.Region, SigningService, time);
        _time = time;
        _log = log;
        _ownsHttp = ownsHttp;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <inheritdoc />
    public Task<bool> PublishAsync(FailureEventDetail detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(detail);
        return PublishAsync(
            new OutgoingEvent(FailureEvents.Source, FailureEvents.DetailType, "Failure event", DateTimeOffset.FromUnixTimeMilliseconds(detail.FailedAtEpochMilliseconds)),
            detail,
            ContractJsonContext.Default.FailureEventDetail,
            new LogScope(RequestId: detail.RequestId, ServiceId: detail.ServiceId),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> PublishAsync(CircuitStateChangeDetail detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(detail);
        return PublishAsync(
            new OutgoingEvent(StateChangeEvents.Source, StateChangeEvents.DetailType, "State change event", detail.Time),
            detail,
            ContractJsonContext.Default.CircuitStateChangeDetail,
            new LogScope(RequestId: detail.RequestId, ServiceId: detail.ServiceId, CircuitState: detail.To),
            cancellationToken);
    }

    /// <summary>
    /// Publishes one event whose detail is <paramref name="detail"/>, serialized through <paramref name="detailType"/>'s
    /// source-generated metadata (no reflection, so safe under Native AOT). Returns false, after one Warn line, when
    /// the event was not put.
    /// </summary>
    /// <param name="outgoing">Source, detail-type, a name for log lines and the event's time.</param>
    /// <param name="detail">The event's detail.</param>
    /// <param name="detailType">The detail's JSON metadata.</param>
    /// <param name="scope">What the Warn line of a lost event is about.</param>
    /// <param name="cancellationToken">The caller's budget: when cancelled, stops and returns false.</param>
    public async Task<bool> PublishAsync<TDetail>(
        OutgoingEvent outgoing, TDetail detail, JsonTypeInfo<TDetail> detailType, LogScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        ArgumentNullException.ThrowIfNull(detailType);
        var body = SerializeRequest(outgoing, JsonSerializer.Serialize(detail, detailType));
        var started = _time.GetTimestamp();
        AttemptOutcome outcome = default;
        var attempts = 0;
        try
        {
            while (attempts < _options.MaxAttempts)
            {
                if (attempts > 0)
                {
                    await Task.Delay(BackoffBefore(attempts + 1), _time, cancellationToken).ConfigureAwait(false);
                }

                attempts++;
                outcome = await AttemptAsync(body, cancellationToken).ConfigureAwait(false);
                if (outcome.Succeeded || !outcome.Retryable)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var message = outcome.ErrorCode is not null
                ? $"the caller stopped waiting; the last attempt failed with {outcome.ErrorCode}: {outcome.ErrorMessage}"
                : "the caller stopped waiting";
            outcome = AttemptOutcome.Failed("Cancelled", message, retryable: false);
        }

        if (outcome.Succeeded)
        {
            return true;
        }

        _log.Warn(
            outgoing.Description + " not published",
            scope,
            ("detailType", outgoing.DetailType),
            ("errorCode", outcome.ErrorCode),
            ("errorMessage", outcome.ErrorMessage),
            ("attempts", attempts),
            ("elapsedMs", _time.GetElapsedTime(started)));
        return false;
    }

    private byte[] SerializeRequest(OutgoingEvent outgoing, string detailJson)
    {
        var entry = new PutEventsRequestEntry(
            outgoing.Source,
            outgoing.DetailType,
            detailJson,
            _options.EventBusName,
            Time: outgoing.Time.ToUnixTimeMilliseconds() / 1000.0);
        return JsonSerializer.SerializeToUtf8Bytes(new PutEventsRequest([entry]), PutEventsJsonContext.Default.PutEventsRequest);
    }

    private async Task<AttemptOutcome> AttemptAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        try
        {
            await _signer.SignAsync(request, cancellationToken).ConfigureAwait(false);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? ReadSuccess(payload) : ReadError(response, payload);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout fired: the attempt took too long, the caller still waits.
            return AttemptOutcome.Failed("RequestTimeout", "the request to EventBridge timed out", retryable: true);
        }
        catch (HttpRequestException e)
        {
            return AttemptOutcome.Failed("ConnectionError", e.Message, retryable: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unresolvable credentials (AmazonClientException), a body that is not the documented shape:
            // retrying cannot help, and a publish must not take the caller's request down with it.
            return AttemptOutcome.Failed(e.GetType().Name, e.Message, retryable: false);
        }
    }

    private static AttemptOutcome ReadSuccess(byte[] payload)
    {
        var response = JsonSerializer.Deserialize(payload, PutEventsJsonContext.Default.PutEventsResponse);
        if (response is null)
        {
            return AttemptOutcome.Failed("MalformedResponse", "EventBridge answered 200 with a null body", retryable: false);
        }

        if (response.FailedEntryCount == 0)
        {
            return AttemptOutcome.Success;
        }

        // The entry failed on EventBridge's side (throttled, internal failure); AWS's guidance is to
        // resend failed entries, and with one entry per call that is the whole request.
        var failed = response.Entries?.FirstOrDefault(e => e.ErrorCode is not null);
        return AttemptOutcome.Failed(failed?.ErrorCode ?? "FailedEntry", failed?.ErrorMessage ?? "the entry was not put", retryable: true);
    }

    private static AttemptOutcome ReadError(HttpResponseMessage response, byte[] payload)
    {
        AwsJsonError? error = null;
        try
        {
            error = payload.Length > 0 ? JsonSerializer.Deserialize(payload, PutEventsJsonContext.Default.AwsJsonError) : null;
        }
        catch (JsonException)
        {
            // A proxy or load balancer answered with something else; the status still says what happened.
        }

        var status = (int)response.StatusCode;
        var code = error?.Code
            ?? (response.Headers.TryGetValues("X-Amzn-ErrorType", out var types) ? types.First().Split(':')[0] : null)
            ?? $"Http{status}";
        var message = error?.Message ?? $"EventBridge answered {status} {response.ReasonPhrase}";
        var retryable = status >= 500
            || response.StatusCode == HttpStatusCode.TooManyRequests
            || code.Contains("Throttl", StringComparison.OrdinalIgnoreCase)
            || code is "RequestTimeoutException" or "RequestTimeout";
        return AttemptOutcome.Failed(code, message, retryable);
    }

    // Full jitter: spreads the retries of many concurrent functions instead of having them collide again.
    private TimeSpan BackoffBefore(int attempt)
    {
        var ceiling = Math.Min(_options.BackoffCap.TotalMilliseconds, _options.BackoffBase.TotalMilliseconds * Math.Pow(2, attempt - 2));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private readonly record struct AttemptOutcome(bool Succeeded, string? ErrorCode, string? ErrorMessage, bool Retryable)
    {
        public static AttemptOutcome Success => new(true, null, null, false);

        public static AttemptOutcome Failed(string code, string message, bool retryable) => new(false, code, message, retryable);
    }
}

/// <summary>The envelope fields of one event to put, besides its detail.</summary>
/// <param name="Source">The event's <c>source</c>.</param>
/// <param name="DetailType">The event's <c>detail-type</c>.</param>
/// <param name="Description">How log lines name this kind of event, e.g. "Failure event".</param>
/// <param name="Time">The event's time.</param>
public sealed record OutgoingEvent(string Source, string DetailType, string Description, DateTimeOffset Time);
