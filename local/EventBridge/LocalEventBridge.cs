using System.Globalization;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Local.Hosting;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Local.EventBridge;

/// <summary>
/// EventBridge's PutEvents on loopback (AWS JSON 1.1, <c>X-Amz-Target: AWSEvents.PutEvents</c>): checks the request's
/// limits as EventBridge does (a request-level error loses the whole request), then each entry on its own (a bad entry
/// fails alone, with <c>ErrorCode</c> and <c>ErrorMessage</c> in its result, and the others are put), wraps each
/// accepted one in an EventBridge envelope, and hands envelopes that match a rule to <see cref="EventDelivery"/>. The
/// Authorization header must be there (as AWS requires a signature) but is not verified. docs/design.md ("What the
/// local host emulates") lists the AWS page behind each check.
/// </summary>
internal sealed class LocalEventBridge : IAsyncDisposable
{
    private const string JsonContentType = "application/x-amz-json-1.1";

    // API Reference, PutEvents: Entries holds 1 to 10 items.
    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
    private const int MaxEntries = 10;

    // User Guide, "Calculating PutEvents event entry size": the entries' total size, counted as that page counts it,
    // must be less than 256 KB. https://docs.aws.amazon.com/eventbridge/latest/userguide/calculate-putevents-entry-size.html
    private const int EntriesSizeLimit = 256 * 1024;

    // API Reference, PutEvents: nested JSON is processed up to 1000 levels deep; Detail's integers fit in 64 bits.
    private const int MaxDetailDepth = 1000;

    // Room for 256 KB of entries even when JSON escaping makes them several times longer.
    private const int MaxRequestBody = 2 * 1024 * 1024;

    // The codes the API Reference documents for a failed entry (PutEventsResultEntry).
    private const string InvalidArgument = "InvalidArgument";
    private const string MalformedDetail = "MalformedDetail";

    // The envelope's time is RFC 3339 with a four-digit year: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    private static readonly double EarliestTime = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly double LatestTime = DateTimeOffset.MaxValue.ToUnixTimeSeconds() + 1;

    // One level for the envelope around a Detail as deep as PutEvents processes.
    private static readonly JsonDocumentOptions DeepJson = new() { MaxDepth = MaxDetailDepth + 1 };

    private readonly LocalEventBridgeOptions _options;
    private readonly IReadOnlyList<EventRule> _rules;
    private readonly TimeProvider _time;
    private readonly EventDelivery _delivery;
    private LoopbackHttpServer? _server;
    private long _accepted;
    private long _matched;

    /// <param name="options">The bus and the retry policy.</param>
    /// <param name="rules">The rules on the bus.</param>
    /// <param name="time">Clock for event times and retry delays.</param>
    /// <param name="log">Where dead-lettered events are reported.</param>
    public LocalEventBridge(LocalEventBridgeOptions options, IReadOnlyList<EventRule> rules, TimeProvider time, TextWriter log)
    {
        _options = options;
        _rules = rules;
        _time = time;
        _delivery = new EventDelivery(options, time, log);
    }

    /// <summary>http://127.0.0.1:PORT/ once started: the value for AWS_ENDPOINT_URL_EVENTS.</summary>
    public Uri BaseAddress => (_server ?? throw new InvalidOperationException("The local EventBridge is not started.")).BaseAddress;

    /// <summary>Entries accepted since start.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>(entry, rule) matches since start.</summary>
    public long Matched => Interlocked.Read(ref _matched);

    /// <summary>The bus's identity and its targets' retry policy.</summary>
    public LocalEventBridgeOptions Options => _options;

    /// <summary>The deliveries' counters.</summary>
    public EventDelivery Delivery => _delivery;

    /// <summary>Starts serving on 127.0.0.1:<paramref name="port"/> (0 = a free port).</summary>
    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        _server = await LoopbackHttpServer.StartAsync(port, HandleAsync, MaxRequestBody, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        await _delivery.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context, CancellationToken stopping)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            await WriteErrorAsync(context, 400, "UnknownOperationException", "Only POST is served.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(request.Headers.Authorization.ToString()))
        {
            await WriteErrorAsync(context, 400, "MissingAuthenticationTokenException", "Missing Authentication Token").ConfigureAwait(false);
            return;
        }

        if (request.Headers["X-Amz-Target"].ToString() != "AWSEvents.PutEvents")
        {
            await WriteErrorAsync(context, 400, "UnknownOperationException", "Only AWSEvents.PutEvents is served.").ConfigureAwait(false);
            return;
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            try
            {
                await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // Far over what PutEvents takes (entries under 256 KB in all); AWS documents no answer for it.
                await WriteErrorAsync(context, tooLarge.StatusCode, "ValidationException", $"The request body is larger than {MaxRequestBody} bytes.").ConfigureAwait(false);
                return;
            }

            body = buffer.ToArray();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context, 400, "SerializationException", "Request body is not valid JSON.").ConfigureAwait(false);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await WriteErrorAsync(context, 400, "SerializationException", "Request body must be a JSON object.").ConfigureAwait(false);
                return;
            }

            if (!root.TryGetProperty("Entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                await WriteErrorAsync(context, 400, "ValidationException",
                    "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null").ConfigureAwait(false);
                return;
            }

            // What AWS answers over a limit is not on the PutEvents page: ValidationException (HTTP 400, "Common
            // Errors") with these messages is what AWS answered when asked (LocalStack's tests recorded against AWS,
            // tests/aws/services/events/test_events.snapshot.json), less the echo of every entry.
            var count = entries.GetArrayLength();
            if (count < 1)
            {
                await WriteErrorAsync(context, 400, "ValidationException",
                    "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1").ConfigureAwait(false);
                return;
            }

            if (count > MaxEntries)
            {
                await WriteErrorAsync(context, 400, "ValidationException",
                    $"1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to {MaxEntries}").ConfigureAwait(false);
                return;
            }

            if (entries.EnumerateArray().Sum(EntrySize) >= EntriesSizeLimit)
            {
                await WriteErrorAsync(context, 400, "ValidationException", "Total size of the entries in the request is over the limit.").ConfigureAwait(false);
                return;
            }

            var results = entries.EnumerateArray().Select(Accept).ToArray();
            await WriteResultAsync(context, results).ConfigureAwait(false);
        }
    }

    // The size of one entry as "Calculating PutEvents event entry size" counts it: 14 bytes for a Time, and the UTF-8
    // bytes of Source, DetailType, Detail and each of Resources (members of the wrong type count nothing; they fail later).
    private static long EntrySize(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }

        long size = entry.TryGetProperty("Time", out var time) && time.ValueKind != JsonValueKind.Null ? 14 : 0;
        foreach (var name in (ReadOnlySpan<string>)["Source", "DetailType", "Detail"])
        {
            size += Utf8Length(entry, name);
        }

        if (entry.TryGetProperty("Resources", out var resources) && resources.ValueKind == JsonValueKind.Array)
        {
            size += resources.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Sum(r => (long)Encoding.UTF8.GetByteCount(r.GetString()!));
        }

        return size;
    }

    private static long Utf8Length(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetByteCount(value.GetString()!) : 0;

    /// <summary>
    /// Puts one entry, or says why not. The codes are the ones the API Reference documents for a failed entry
    /// (<c>PutEventsResultEntry</c>: <c>InvalidArgument</c>, a parameter is not valid; <c>MalformedDetail</c>, the JSON
    /// is not valid). The messages of a missing Source, DetailType or Detail and of a malformed Detail are the ones AWS
    /// answered (LocalStack's AWS-recorded tests); for the other checks AWS documents no message, so ours say what is wrong.
    /// </summary>
    private EntryResult Accept(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return EntryResult.Failed(InvalidArgument, "Parameter Entries is not valid. Reason: an entry must be a JSON object.");
        }

        if (Required(entry, "Source", out var source) is { } noSource)
        {
            return noSource;
        }

        if (Required(entry, "DetailType", out var detailType) is { } noDetailType)
        {
            return noDetailType;
        }

        if (Required(entry, "Detail", out var detailText) is { } noDetail)
        {
            return noDetail;
        }

        if (!TryParseDetail(detailText, out var detail))
        {
            return EntryResult.Failed(MalformedDetail, "Detail is malformed.");
        }

        if (ReadTime(entry, out var time) is { } badTime)
        {
            return badTime;
        }

        if (ReadResources(entry, out var resources) is { } badResources)
        {
            return badResources;
        }

        if (Optional(entry, "EventBusName", out var busName) is { } badBus)
        {
            return badBus;
        }

        // AWS was seen to accept, and drop, an entry for a bus that does not exist (LocalStack's AWS-recorded test
        // test_put_events_nonexistent_event_bus); here it fails, so that a mistyped bus name shows at once, with the
        // documented code for a parameter that is not valid.
        var bus = busName ?? "default";
        var onOurBus = bus == _options.BusName || bus == _options.BusArn;
        if (!onOurBus && bus != "default")
        {
            return EntryResult.Failed(InvalidArgument, $"Parameter EventBusName is not valid. Reason: Event bus {bus} does not exist.");
        }

        var eventId = Guid.NewGuid().ToString();
        Interlocked.Increment(ref _accepted);
        if (onOurBus)
        {
            var envelope = Envelope(eventId, source, detailType, time ?? _time.GetUtcNow(), resources, detail);
            using var envelopeDocument = JsonDocument.Parse(envelope, DeepJson);
            foreach (var rule in _rules)
            {
                if (rule.Pattern.Matches(envelopeDocument.RootElement))
                {
                    Interlocked.Increment(ref _matched);
                    _delivery.Enqueue(rule, eventId, envelope);
                }
            }
        }

        return EntryResult.Succeeded(eventId);
    }

    private static EntryResult? Required(JsonElement entry, string name, out string value)
    {
        value = string.Empty;
        if (Optional(entry, name, out var present) is { } wrongType)
        {
            return wrongType;
        }

        if (string.IsNullOrEmpty(present))
        {
            return EntryResult.Failed(InvalidArgument, $"Parameter {name} is not valid. Reason: {name} is a required argument.");
        }

        value = present;
        return null;
    }

    private static EntryResult? Optional(JsonElement entry, string name, out string? value)
    {
        value = null;
        if (!entry.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (member.ValueKind != JsonValueKind.String)
        {
            return EntryResult.Failed(InvalidArgument, $"Parameter {name} is not valid. Reason: {name} must be a string.");
        }

        value = member.GetString();
        return null;
    }

    // Detail must be a JSON object, nested at most 1000 levels, whose integers fit in 64 bits (API Reference, PutEvents).
    private static bool TryParseDetail(string text, out JsonElement detail)
    {
        detail = default;
        try
        {
            using var parsed = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDetailDepth });
            if (parsed.RootElement.ValueKind != JsonValueKind.Object || !IntegersFit(parsed.RootElement))
            {
                return false;
            }

            detail = parsed.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IntegersFit(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().All(property => IntegersFit(property.Value)),
        JsonValueKind.Array => element.EnumerateArray().All(IntegersFit),
        JsonValueKind.Number => element.TryGetInt64(out _) || element.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') >= 0,
        _ => true,
    };

    // Time is seconds since 1970 (AWS JSON 1.1 timestamps); absent, the time of the call is used. A time the envelope
    // cannot carry fails the entry alone. AWS documents no message or limit for it; InvalidArgument is the documented
    // code for a parameter that is not valid.
    private static EntryResult? ReadTime(JsonElement entry, out DateTimeOffset? time)
    {
        time = null;
        if (!entry.TryGetProperty("Time", out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (member.ValueKind != JsonValueKind.Number)
        {
            return EntryResult.Failed(InvalidArgument, "Parameter Time is not valid. Reason: Time must be a number of seconds since 1970-01-01T00:00:00Z.");
        }

        if (!member.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < EarliestTime || seconds >= LatestTime)
        {
            var shown = member.GetRawText();
            shown = shown.Length > 40 ? string.Concat(shown.AsSpan(0, 40), "…") : shown;
            return EntryResult.Failed(InvalidArgument,
                $"Parameter Time is not valid. Reason: {shown} seconds since 1970 is not between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.");
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(seconds * 1000));
        return null;
    }

    private static EntryResult? ReadResources(JsonElement entry, out string[] resources)
    {
        resources = [];
        if (!entry.TryGetProperty("Resources", out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (member.ValueKind != JsonValueKind.Array || member.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
        {
            return EntryResult.Failed(InvalidArgument, "Parameter Resources is not valid. Reason: Resources must be a list of strings.");
        }

        resources = [.. member.EnumerateArray().Select(r => r.GetString()!)];
        return null;
    }

    private byte[] Envelope(string eventId, string source, string detailType, DateTimeOffset time, string[] resources, JsonElement detail)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = MaxDetailDepth + 1 }))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "0");
            writer.WriteString("id", eventId);
            writer.WriteString("detail-type", detailType);
            writer.WriteString("source", source);
            writer.WriteString("account", _options.AccountId);
            writer.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("region", _options.Region);
            writer.WriteStartArray("resources");
            foreach (var resource in resources)
            {
                writer.WriteStringValue(resource);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("detail");
            detail.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static async Task WriteResultAsync(HttpContext context, EntryResult[] results)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("FailedEntryCount", results.Count(result => result.EventId is null));
            writer.WriteStartArray("Entries");
            foreach (var result in results)
            {
                writer.WriteStartObject();
                if (result.EventId is not null)
                {
                    writer.WriteString("EventId", result.EventId);
                }
                else
                {
                    writer.WriteString("ErrorCode", result.ErrorCode);
                    writer.WriteString("ErrorMessage", result.ErrorMessage);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteAsync(context, 200, buffer.ToArray()).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", type);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        context.Response.Headers["x-amzn-ErrorType"] = type;
        return WriteAsync(context, status, buffer.ToArray());
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = body.Length;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private sealed record EntryResult(string? EventId, string? ErrorCode, string? ErrorMessage)
    {
        public static EntryResult Succeeded(string eventId) => new(eventId, null, null);

        public static EntryResult Failed(string code, string message) => new(null, code, message);
    }
}
