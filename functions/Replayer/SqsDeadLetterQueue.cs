using CircuitBreaker.Aws.EventBridge;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Identity;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Functions.Replayer;

/// <summary>
/// Sends dead-lettered requests to an SQS queue with <c>SendMessage</c> in the AWS JSON 1.0 protocol over a plain
/// <see cref="HttpClient"/>, signed by <see cref="RequestSigner"/> as the PutEvents client is (no SDK client to trim):
/// <c>POST /</c> to the queue URL's origin with <c>X-Amz-Target: AmazonSQS.SendMessage</c> and a body holding
/// <c>QueueUrl</c> and <c>MessageBody</c> (Amazon SQS Developer Guide, "Making query API requests using AWS JSON protocol",
/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html;
/// API Reference, SendMessage, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
/// A queue URL is <c>https://sqs.REGION.amazonaws.com/ACCOUNT/NAME</c>, so its origin is the regional endpoint.
/// </summary>
internal sealed class SqsDeadLetterQueue : IDeadLetterQueue
{
    /// <summary>The signing name of SQS.</summary>
    public const string SigningService = "sqs";

    /// <summary>The JSON 1.0 operation header's value for SendMessage.</summary>
    public const string Target = "AmazonSQS.SendMessage";

    /// <summary>The JSON 1.0 protocol's content type.</summary>
    public const string ContentType = "application/x-amz-json-1.0";

    /// <summary>SQS's largest message: 256 KiB (the API Reference's <c>MessageBody</c>).</summary>
    public const int MaxMessageBytes = 256 * 1024;

    private readonly HttpClient _http;
    private readonly Uri _queueUrl;
    private readonly RequestSigner _signer;
    private readonly FunctionLog _log;

    /// <summary>A queue at <paramref name="queueUrl"/>.</summary>
    public SqsDeadLetterQueue(HttpClient http, Uri queueUrl, string region, IIdentityResolver<AWSCredentials> credentials, TimeProvider time, FunctionLog log)
    {
        _http = http;
        _queueUrl = queueUrl;
        _signer = new RequestSigner(credentials, region, SigningService, time);
        _log = log;
    }

    /// <inheritdoc />
    public async Task<bool> SendAsync(DeferredRequest request, int attempts, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = DeadLetterMessage.For(request, attempts, error);
        if (Encoding.UTF8.GetByteCount(message) > MaxMessageBytes)
        {
            // The body is what makes it too large: the message keeps the rest, so that the loss is visible.
            message = DeadLetterMessage.For(request with { Body = null }, attempts, error + " (body left out: the message would exceed SQS's 256 KiB)");
        }

        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("QueueUrl", _queueUrl.AbsoluteUri);
            json.WriteString("MessageBody", message);
            json.WriteEndObject();
        }

        using var httpRequest = new HttpRequestMessage(HttpMethod.Post, new Uri(_queueUrl.GetLeftPart(UriPartial.Authority) + "/"));
        httpRequest.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
        httpRequest.Content = new ByteArrayContent(body.ToArray());
        httpRequest.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        try
        {
            await _signer.SignAsync(httpRequest, cancellationToken).ConfigureAwait(false);
            using var response = await _http.SendAsync(httpRequest, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            var answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            _log.Warn("dead-letter queue refused the message", new LogScope(ServiceId: request.ServiceId), ("deferredId", request.Id), ("status", (int)response.StatusCode), ("answer", answer.Length > 500 ? answer[..500] : answer));
            return false;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _log.Warn("dead-letter queue unreachable", new LogScope(ServiceId: request.ServiceId), ("deferredId", request.Id), ("error", e.Message));
            return false;
        }
    }
}
