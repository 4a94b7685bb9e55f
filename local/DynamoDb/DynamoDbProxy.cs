using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using CircuitBreaker.Local.Hosting;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// A DynamoDB endpoint on loopback in front of another (dynalite, DynamoDB Local) that forwards the DynamoDB JSON 1.0
/// protocol as it is, counts every request by operation (<c>X-Amz-Target</c>) in a <see cref="DynamoDbRequestCounter"/>, and,
/// when given an <see cref="ItemThroughput"/>, holds each item to DynamoDB's per-item rate: a request over its item's
/// budget is answered as DynamoDB answers it, HTTP 400 with a <c>ProvisionedThroughputExceededException</c> (Developer
/// Guide, "Error handling with DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html)
/// whose <c>ThrottlingReasons</c> say which key range was hot (API Reference, ThrottlingReason), and never reaches the
/// DynamoDB behind. Code that builds its own SDK client from the environment is pointed here with its endpoint variable.
/// The forwarded requests keep their signature although the Host changes: the DynamoDB behind must not check signatures.
/// </summary>
internal sealed partial class DynamoDbProxy : IAsyncDisposable
{
    /// <summary>The exception's type as DynamoDB names it in <c>__type</c>.</summary>
    public const string ThrottledType = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException";

    /// <summary>The message the Developer Guide's "Error handling" page gives for ProvisionedThroughputExceededException.</summary>
    public const string ThrottledMessage = "You exceeded your maximum allowed provisioned throughput for a table or for one or more global secondary indexes. "
        + "To view performance metrics for provisioned throughput vs. consumed throughput, open the Amazon CloudWatch console.";

    private const string JsonContentType = "application/x-amz-json-1.0";

    // BatchWriteItem takes up to 16 MB; some room for JSON around it.
    private const long MaxRequestBody = 32L * 1024 * 1024;

    // Account of the ARNs in ThrottlingReasons, as the local EventBridge's.
    private const string AccountId = "000000000000";

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Expect", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly Uri _upstream;
    private readonly DynamoDbRequestCounter _counter;
    private readonly ItemThroughput? _limits;
    private readonly TableKeySchemas? _schemas;
    private readonly HttpClient _client;
    private LoopbackHttpServer? _server;

    private DynamoDbProxy(Uri upstream, DynamoDbRequestCounter counter, ItemThroughput? limits)
    {
        _upstream = upstream;
        _counter = counter;
        _limits = limits;
        _schemas = limits is null ? null : new TableKeySchemas(upstream, "us-east-1");
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>The proxy's DynamoDB endpoint, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Endpoint => (_server ?? throw new InvalidOperationException("The proxy is not started.")).BaseAddress;

    /// <summary>The counts of the requests that reached the proxy.</summary>
    public DynamoDbRequestCounter Counter => _counter;

    /// <summary>The per-item limits, when the proxy enforces them.</summary>
    public ItemThroughput? Limits => _limits;

    /// <summary>Starts a proxy on a free loopback port in front of <paramref name="upstream"/>.</summary>
    /// <param name="upstream">The DynamoDB endpoint to forward to.</param>
    /// <param name="counter">Where requests are counted (several proxies may share one).</param>
    /// <param name="limits">The per-item budgets to enforce (several proxies may share one); null to count only.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<DynamoDbProxy> StartAsync(Uri upstream, DynamoDbRequestCounter counter, ItemThroughput? limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(counter);
        var proxy = new DynamoDbProxy(upstream, counter, limits);
        try
        {
            proxy._server = await LoopbackHttpServer.StartAsync(0, proxy.HandleAsync, MaxRequestBody, cancellationToken).ConfigureAwait(false);
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _schemas?.Dispose();
    }

    private async Task HandleAsync(HttpContext context, CancellationToken stopping)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = target.Length == 0 ? null : target[(target.LastIndexOf('.') + 1)..];
        if (operation is not null)
        {
            _counter.Count(operation);
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, cancel.Token).ConfigureAwait(false);
            body = buffer.ToArray();
        }

        if (operation is not null && await RefusedAsync(operation, body, context.Request.Headers.Authorization.ToString(), cancel.Token).ConfigureAwait(false) is { } refused)
        {
            _counter.CountThrottled(operation);
            await WriteThrottledAsync(context, refused, cancel.Token).ConfigureAwait(false);
            return;
        }

        await ForwardAsync(context, body, cancel.Token).ConfigureAwait(false);
    }

    // The throttling reason when the request is over its item's budget; null when it may go on.
    private async Task<ThrottlingReason?> RefusedAsync(string operation, byte[] body, string authorization, CancellationToken cancellationToken)
    {
        if (_limits is null)
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // DynamoDB behind says what is wrong with it.
            return null;
        }

        using (document)
        {
            var request = document.RootElement;
            TableKeySchema? schema = null;
            if (ItemAccessReader.NeedsKeySchema(operation) && ItemAccessReader.TableName(request) is { Length: > 0 } table)
            {
                schema = await _schemas!.GetAsync(table, cancellationToken).ConfigureAwait(false);
            }

            if (ItemAccessReader.Read(operation, request, schema) is not { } access || _limits.TryConsume(access))
            {
                return null;
            }

            var region = SigningRegion().Match(authorization) is { Success: true } signed ? signed.Groups[1].Value : "us-east-1";
            var resource = $"arn:aws:dynamodb:{region}:{AccountId}:table/{access.Table}" + (access.Index is null ? string.Empty : $"/index/{access.Index}");
            var reason = (access.Index is null ? "Table" : "Index") + (access.IsWrite ? "Write" : "Read") + "KeyRangeThroughputExceeded";
            return new ThrottlingReason(reason, resource);
        }
    }

    private static async Task WriteThrottledAsync(HttpContext context, ThrottlingReason reason, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["__type"] = ThrottledType,
            ["message"] = ThrottledMessage,
            ["ThrottlingReasons"] = new[] { new Dictionary<string, string> { ["reason"] = reason.Reason, ["resource"] = reason.Resource } },
        });
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = body.Length;
        context.Response.Headers["x-amzn-RequestId"] = RequestId();
        await context.Response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    private async Task ForwardAsync(HttpContext context, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_upstream, context.Request.Path + context.Request.QueryString))
        {
            Content = new ByteArrayContent(body),
        };
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException unreachable)
        {
            // As a load balancer in front of a dead server would: the client sees a server error and may retry.
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync($"DynamoDB behind the proxy is unreachable: {unreachable.Message}", cancellationToken).ConfigureAwait(false);
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, cancellationToken).ConfigureAwait(false);
        }
    }

    // DynamoDB's request ids are 52 characters of A-Z and 0-9.
    private static string RequestId()
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return string.Create(52, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
    }

    // The region of the SigV4 credential scope: Credential=KEY/DATE/REGION/dynamodb/aws4_request.
    [GeneratedRegex(@"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/dynamodb/aws4_request")]
    private static partial Regex SigningRegion();

    private sealed record ThrottlingReason(string Reason, string Resource);
}
