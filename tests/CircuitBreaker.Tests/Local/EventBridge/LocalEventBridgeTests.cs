using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.EventBridge;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Local.EventBridge;

public sealed class LocalEventBridgeTests
{
    private const string Bus = "failures";
    private const string AwsCli = "/usr/bin/aws";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMatchingEntryIsAcceptedAndDeliveredAsAnEnvelope()
    {
        var delivered = new ConcurrentQueue<byte[]>();
        await using var bridge = await StartAsync((envelope, _) => { delivered.Enqueue(envelope); return Task.FromResult(true); });

        using var response = await PutEventsAsync(bridge, Entry(Bus, FailureEvents.Source, FailureEvents.DetailType, """{"serviceId":"s","reason":"timeout"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal(0, result.RootElement.GetProperty("FailedEntryCount").GetInt32());
        var eventId = result.RootElement.GetProperty("Entries")[0].GetProperty("EventId").GetString();
        Assert.True(Guid.TryParse(eventId, out _));

        await WaitUntilAsync(() => !delivered.IsEmpty);
        using var envelope = JsonDocument.Parse(delivered.Single());
        var root = envelope.RootElement;
        Assert.Equal("0", root.GetProperty("version").GetString());
        Assert.Equal(eventId, root.GetProperty("id").GetString());
        Assert.Equal(FailureEvents.Source, root.GetProperty("source").GetString());
        Assert.Equal(FailureEvents.DetailType, root.GetProperty("detail-type").GetString());
        Assert.Equal("000000000000", root.GetProperty("account").GetString());
        Assert.Equal("us-east-1", root.GetProperty("region").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("resources").ValueKind);
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("timeout", root.GetProperty("detail").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task TheBusArnIsAcceptedAndNonMatchingEventsAreNotDelivered()
    {
        var delivered = 0;
        await using var bridge = await StartAsync((_, _) => { Interlocked.Increment(ref delivered); return Task.FromResult(true); });

        using var response = await PutEventsAsync(bridge,
            Entry($"arn:aws:events:us-east-1:000000000000:event-bus/{Bus}", "someone.else", FailureEvents.DetailType, "{}"),
            Entry("default", FailureEvents.Source, FailureEvents.DetailType, "{}"));

        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal(0, result.RootElement.GetProperty("FailedEntryCount").GetInt32());
        Assert.Equal(2, bridge.Accepted);
        Assert.Equal(0, bridge.Matched);
        Assert.Equal(0, delivered);
    }

    [Theory]
    [InlineData("other-bus", "s", "t", "{}", "InvalidArgument")]
    [InlineData(Bus, "s", "t", "[1]", "MalformedDetail")]
    [InlineData(Bus, "s", "t", "{not json", "MalformedDetail")]
    [InlineData(Bus, "", "t", "{}", "InvalidArgument")]
    [InlineData(Bus, "s", "", "{}", "InvalidArgument")]
    [InlineData(Bus, "s", "t", "", "InvalidArgument")]
    public async Task BadEntriesFailOneByOneAsInAws(string bus, string source, string detailType, string detail, string errorCode)
    {
        await using var bridge = await StartAsync((_, _) => Task.FromResult(true));

        using var response = await PutEventsAsync(bridge,
            Entry(Bus, "ok.source", "ok", "{}"),
            Entry(bus, source, detailType, detail));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal(1, result.RootElement.GetProperty("FailedEntryCount").GetInt32());
        var entries = result.RootElement.GetProperty("Entries");
        Assert.True(entries[0].TryGetProperty("EventId", out _));
        Assert.Equal(errorCode, entries[1].GetProperty("ErrorCode").GetString());
        Assert.False(string.IsNullOrEmpty(entries[1].GetProperty("ErrorMessage").GetString()));
    }

    [Theory]
    [InlineData("AWSEvents.PutEvents", "not json", true, "SerializationException")]
    [InlineData("AWSEvents.PutEvents", "{}", true, "ValidationException")]
    [InlineData("AWSEvents.PutEvents", """{"Entries":[]}""", true, "ValidationException")]
    [InlineData("AWSEvents.PutRule", """{"Entries":[]}""", true, "UnknownOperationException")]
    [InlineData("AWSEvents.PutEvents", """{"Entries":[{}]}""", false, "MissingAuthenticationTokenException")]
    public async Task BadRequestsGetAwsJsonErrors(string target, string body, bool withSignature, string errorType)
    {
        await using var bridge = await StartAsync((_, _) => Task.FromResult(true));
        using var client = new HttpClient();
        using var request = Request(bridge, target, body, withSignature);

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal(errorType, error.RootElement.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task ARefusingTargetIsRetriedWithTheSameEventUntilItTakesIt()
    {
        var attempts = new ConcurrentQueue<string>();
        await using var bridge = await StartAsync((envelope, _) =>
        {
            using var document = JsonDocument.Parse(envelope);
            attempts.Enqueue(document.RootElement.GetProperty("id").GetString()!);
            if (attempts.Count == 2)
            {
                throw new HttpRequestException("Lambda service unreachable");
            }

            return Task.FromResult(attempts.Count >= 3);
        });

        using var response = await PutEventsAsync(bridge, Entry(Bus, FailureEvents.Source, FailureEvents.DetailType, "{}"));

        await WaitUntilAsync(() => bridge.Delivery.Delivered == 1);
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Distinct());
        Assert.Equal(0, bridge.Delivery.DeadLettered);
    }

    [Fact]
    public async Task AnEventIsDeadLetteredWithOneLineWhenRetriesRunOut()
    {
        using var log = new StringWriter();
        var attempts = 0;
        await using var bridge = await StartAsync((_, _) =>
        {
            Interlocked.Increment(ref attempts);
            return Interlocked.CompareExchange(ref attempts, 0, 0) < 3
                ? Task.FromResult(false)
                : throw new InvalidOperationException("throttled\nby the target");
        }, TextWriter.Synchronized(log));

        using var response = await PutEventsAsync(bridge, Entry(Bus, FailureEvents.Source, FailureEvents.DetailType, "{}"));
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        var eventId = result.RootElement.GetProperty("Entries")[0].GetProperty("EventId").GetString();

        await WaitUntilAsync(() => bridge.Delivery.DeadLettered == 1);
        Assert.Equal(3, attempts);
        Assert.Equal($"[dead-letter] eventbridge rule to-target: {eventId} after 3 attempts: throttled\\nby the target{Environment.NewLine}", log.ToString());
        var deadLetter = Assert.Single(bridge.Delivery.DeadLetters);
        Assert.Equal((eventId, 3), (deadLetter.EventId, deadLetter.Attempts));
    }

    [Fact]
    public async Task TheAwsCliCanPutEvents()
    {
        if (!File.Exists(AwsCli))
        {
            Assert.Skip($"{AwsCli} (Debian's awscli v2) is not installed: apt-get install -y awscli");
        }

        var delivered = new ConcurrentQueue<byte[]>();
        await using var bridge = await StartAsync((envelope, _) => { delivered.Enqueue(envelope); return Task.FromResult(true); });
        var entries = JsonSerializer.Serialize(new[]
        {
            new Dictionary<string, string>
            {
                ["Source"] = FailureEvents.Source,
                ["DetailType"] = FailureEvents.DetailType,
                ["Detail"] = """{"serviceId":"cli","reason":"timeout"}""",
                ["EventBusName"] = Bus,
            },
        });

        var (exit, output, error) = await RunAwsAsync(["events", "put-events", "--endpoint-url", bridge.BaseAddress.ToString(), "--entries", entries, "--output", "json"]);

        Assert.True(exit == 0, $"aws exited {exit}: {error}");
        using var result = JsonDocument.Parse(output);
        Assert.Equal(0, result.RootElement.GetProperty("FailedEntryCount").GetInt32());
        await WaitUntilAsync(() => !delivered.IsEmpty);
        using var envelope = JsonDocument.Parse(delivered.Single());
        Assert.Equal("cli", envelope.RootElement.GetProperty("detail").GetProperty("serviceId").GetString());
    }

    private static async Task<(int Exit, string Output, string Error)> RunAwsAsync(string[] args)
    {
        var start = new ProcessStartInfo(AwsCli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "local";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "local";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = string.Empty;
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Token);
        var error = process.StandardError.ReadToEndAsync(Token);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Token);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task AMatchedEventIsDeliveredNoSoonerThanTheBusDeliveryLatency()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var delivered = new ConcurrentQueue<long>();
        await using var bridge = await StartAsync(
            (_, _) => { delivered.Enqueue(time.GetTimestamp()); return Task.FromResult(true); }, time: time, deliveryLatency: TimeSpan.FromSeconds(2));
        var accepted = time.GetTimestamp();

        using var response = await PutEventsAsync(bridge, Entry(Bus, FailureEvents.Source, FailureEvents.DetailType, "{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Real time passes, the bus's clock does not: nothing is delivered however long that takes.
        await Task.Delay(300, Token);
        time.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(300, Token);
        Assert.Empty(delivered);
        Assert.Equal(1, bridge.Delivery.InFlight);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => !delivered.IsEmpty);
        Assert.Equal(TimeSpan.FromSeconds(2), time.GetElapsedTime(accepted, delivered.Single()));
        Assert.Equal(1, bridge.Delivery.Delivered);
    }

    private static async Task<LocalEventBridge> StartAsync(
        Func<byte[], CancellationToken, Task<bool>> target, TextWriter? log = null, TimeProvider? time = null, TimeSpan deliveryLatency = default)
    {
        var rule = new EventRule("to-target", EventPatternMatcher.Parse(FailureEvents.EventPattern), target);
        var options = new LocalEventBridgeOptions(Bus, MaximumRetryAttempts: 2, FirstRetryDelay: TimeSpan.FromMilliseconds(20), DeliveryLatency: deliveryLatency);
        var bridge = new LocalEventBridge(options, [rule], time ?? TimeProvider.System, log ?? TextWriter.Null);
        await bridge.StartAsync(0, Token);
        return bridge;
    }

    private static Dictionary<string, string> Entry(string bus, string source, string detailType, string detail) => new()
    {
        ["EventBusName"] = bus,
        ["Source"] = source,
        ["DetailType"] = detailType,
        ["Detail"] = detail,
    };

    private static async Task<HttpResponseMessage> PutEventsAsync(LocalEventBridge bridge, params Dictionary<string, string>[] entries)
    {
        using var client = new HttpClient();
        using var request = Request(bridge, "AWSEvents.PutEvents", JsonSerializer.Serialize(new { Entries = entries }), withSignature: true);
        var response = await client.SendAsync(request, Token);
        await response.Content.LoadIntoBufferAsync(Token);
        return response;
    }

    private static HttpRequestMessage Request(LocalEventBridge bridge, string target, string body, bool withSignature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, bridge.BaseAddress)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        if (withSignature)
        {
            request.Headers.TryAddWithoutValidation("Authorization",
                "AWS4-HMAC-SHA256 Credential=local/20261128/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
        }

        return request;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met within 10 s");
            await Task.Delay(20, Token);
        }
    }
}
