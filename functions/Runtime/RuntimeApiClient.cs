using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;

namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// The Lambda Runtime API (version 2018-06-01) over HTTP: fetch the next invocation, post its response
/// or its error, report an init error. Status handling follows the API's spec: 500 is a container error
/// (<see cref="RuntimeApiFatalException"/>, the runtime must exit); 400, 403, 413 and any other refusal
/// raise <see cref="RuntimeApiException"/> for the caller to decide; transport failures surface as the
/// <see cref="HttpRequestException"/> they are. Why not Amazon.Lambda.RuntimeSupport: docs/design.md,
/// "Why our own Runtime API client and PutEvents client".
/// </summary>
internal sealed class RuntimeApiClient
{
    /// <summary>Content type of Lambda's standard error document.</summary>
    public const string ErrorContentType = "application/vnd.aws.lambda.error+json";

    // The Runtime API's own error bodies are small; a larger one is not worth reading whole into a message.
    private const int MaxErrorBodyChars = 4096;

    private readonly HttpClient _http;
    private readonly Uri _nextUri;
    private readonly Uri _initErrorUri;

    /// <summary>Creates a client for the Runtime API at <paramref name="runtimeApiAddress"/>.</summary>
    /// <param name="httpClient">
    /// An HttpClient whose <see cref="HttpClient.Timeout"/> is infinite: <c>next</c> long-polls for as long
    /// as no invocation comes, so callers bound calls with their cancellation token instead.
    /// <see cref="CreateHttpClient"/> makes a suitable one.
    /// </param>
    /// <param name="runtimeApiAddress">
    /// <c>AWS_LAMBDA_RUNTIME_API</c>: <c>host:port</c>, or <c>host:port/prefix</c> when one local server
    /// serves several functions.
    /// </param>
    public RuntimeApiClient(HttpClient httpClient, string runtimeApiAddress)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.Timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException(
                $"The Runtime API client needs an HttpClient without a timeout (it has {httpClient.Timeout}): the next-invocation call long-polls. Use RuntimeApiClient.CreateHttpClient().",
                nameof(httpClient));
        }

        _http = httpClient;
        BaseAddress = ParseBaseAddress(runtimeApiAddress);
        _nextUri = new Uri(BaseAddress, RuntimeApiProtocol.NextPath);
        _initErrorUri = new Uri(BaseAddress, RuntimeApiProtocol.InitErrorPath);
    }

    /// <summary>The API's versioned base, e.g. <c>http://127.0.0.1:9001/2018-06-01/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// An HttpClient fit for the Runtime API: no timeout (the long poll), and no proxy, because a proxy set
    /// in the function's environment for its outbound calls must not capture the local Runtime API.
    /// </summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>Waits for the next invocation (<c>GET runtime/invocation/next</c>).</summary>
    /// <exception cref="RuntimeApiFatalException">The Runtime API answered 500.</exception>
    /// <exception cref="RuntimeApiException">The Runtime API refused the call.</exception>
    /// <exception cref="MalformedInvocationException">The invocation lacks a request id or a readable deadline.</exception>
    public async Task<LambdaInvocation> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _nextUri);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureAcceptedAsync(response, "GET next", cancellationToken);

        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var requestId = HeaderValue(response, RuntimeApiProtocol.RequestIdHeader);
        if (string.IsNullOrEmpty(requestId))
        {
            throw new MalformedInvocationException(null, $"The Runtime API handed out an invocation without {RuntimeApiProtocol.RequestIdHeader}.");
        }

        var deadlineText = HeaderValue(response, RuntimeApiProtocol.DeadlineHeader);
        if (!long.TryParse(deadlineText, NumberStyles.None, CultureInfo.InvariantCulture, out var deadlineMs)
            || deadlineMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new MalformedInvocationException(
                requestId,
                $"Invocation {requestId} has {RuntimeApiProtocol.DeadlineHeader} '{deadlineText}': expected milliseconds since the Unix epoch.");
        }

        return new LambdaInvocation(
            requestId,
            DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs),
            HeaderValue(response, RuntimeApiProtocol.TraceIdHeader),
            HeaderValue(response, RuntimeApiProtocol.FunctionArnHeader),
            payload);
    }

    /// <summary>Posts an invocation's response (<c>POST runtime/invocation/{id}/response</c>), exactly these bytes.</summary>
    /// <exception cref="RuntimeApiFatalException">The Runtime API answered 500.</exception>
    /// <exception cref="RuntimeApiException">The Runtime API refused it; 413 means the response is too large.</exception>
    public async Task PostResponseAsync(string requestId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await PostAsync(InvocationUri(requestId, RuntimeApiProtocol.ResponsePath), content, errorType: null, "POST response", cancellationToken);
    }

    /// <summary>Reports an invocation as failed (<c>POST runtime/invocation/{id}/error</c>).</summary>
    /// <exception cref="RuntimeApiFatalException">The Runtime API answered 500.</exception>
    /// <exception cref="RuntimeApiException">The Runtime API refused it.</exception>
    public async Task PostErrorAsync(string requestId, Exception error, CancellationToken cancellationToken)
    {
        using var content = ErrorContent(error);
        await PostAsync(InvocationUri(requestId, RuntimeApiProtocol.InvocationErrorPath), content, LambdaErrorTypes.Of(error), "POST error", cancellationToken);
    }

    /// <summary>
    /// Reports that the function could not start (<c>POST runtime/init/error</c>). The runtime should exit
    /// afterwards; Lambda answers the pending invocation with this error.
    /// </summary>
    /// <exception cref="RuntimeApiFatalException">The Runtime API answered 500.</exception>
    /// <exception cref="RuntimeApiException">The Runtime API refused it.</exception>
    public async Task PostInitErrorAsync(Exception error, CancellationToken cancellationToken)
    {
        using var content = ErrorContent(error);
        await PostAsync(_initErrorUri, content, LambdaErrorTypes.Of(error), "POST init error", cancellationToken);
    }

    private async Task PostAsync(Uri uri, HttpContent content, string? errorType, string operation, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        if (errorType is not null)
        {
            request.Headers.Add(RuntimeApiProtocol.FunctionErrorTypeHeader, errorType);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureAcceptedAsync(response, operation, cancellationToken);
    }

    private static ByteArrayContent ErrorContent(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var body = JsonSerializer.SerializeToUtf8Bytes(LambdaErrorBody.From(error), RuntimeJsonContext.Default.LambdaErrorBody);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(ErrorContentType);
        return content;
    }

    // Lambda's request ids are GUIDs, but a local host may use anything: escape so that '/', '?', '#' or
    // '%' in an id cannot change which resource is addressed.
    private Uri InvocationUri(string requestId, Func<string, string> path)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        return new Uri(BaseAddress, path(Uri.EscapeDataString(requestId)));
    }

    private static async Task EnsureAcceptedAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var (errorType, errorMessage) = await ReadErrorAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            throw new RuntimeApiFatalException(operation, errorType, errorMessage);
        }

        throw new RuntimeApiException(operation, response.StatusCode, errorType, errorMessage);
    }

    private static async Task<(string? ErrorType, string ErrorMessage)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.Length > MaxErrorBodyChars)
        {
            text = text[..MaxErrorBodyChars];
        }

        try
        {
            var error = JsonSerializer.Deserialize(text, RuntimeJsonContext.Default.RuntimeApiErrorResponse);
            if (error?.ErrorMessage is not null || error?.ErrorType is not null)
            {
                return (error.ErrorType, error.ErrorMessage ?? string.Empty);
            }
        }
        catch (JsonException)
        {
            // Not the spec's error document (a proxy's page, plain text): keep the text as the message.
        }

        return (null, text.Length == 0 ? response.ReasonPhrase ?? string.Empty : text);
    }

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static Uri ParseBaseAddress(string? runtimeApiAddress)
    {
        var address = runtimeApiAddress?.Trim().TrimEnd('/');
        if (string.IsNullOrEmpty(address)
            || address.Contains("://", StringComparison.Ordinal)
            || !Uri.TryCreate($"http://{address}/{RuntimeApiProtocol.Version}/", UriKind.Absolute, out var baseAddress)
            || baseAddress.Host.Length == 0
            || baseAddress.Query.Length > 0
            || baseAddress.Fragment.Length > 0)
        {
            throw new FunctionConfigurationException(
                [$"{FunctionEnvironment.RuntimeApi} is '{runtimeApiAddress}': expected host:port, optionally followed by /path-prefix."]);
        }

        return baseAddress;
    }
}
