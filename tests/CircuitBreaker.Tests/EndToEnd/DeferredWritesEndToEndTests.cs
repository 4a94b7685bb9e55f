using CircuitBreaker.Aws.DynamoDb;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>whenOpen: defer end to end on the local host: 202 while open, the replay on close, exactly once.</summary>
[Collection(WholeSystemTests.Name)]
public sealed class DeferredWritesEndToEndTests
{
    private static readonly TimeSpan TransitionBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task APostWhileOpenIsAnswered202AndReachesTheDownstreamExactlyOnceAfterTheClosingProbeWithItsBodyAndAnIdempotencyKey()
    {
        using var downstream = new RecordingDownstream();
        await using var server = await CountingHttpServer.StartAsync(downstream.HandleAsync);
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", server.Address.AbsoluteUri, "--when-open", "defer", "--timeout-seconds", "5",
            "--failure-threshold", "2", "--window-seconds", "30", "--open-seconds", "1");
        var cancellation = TestContext.Current.CancellationToken;

        downstream.Failing = true;
        Assert.Equal(502, (await stack.GetAsync("/orders")).Status);
        Assert.Equal(502, (await stack.GetAsync("/orders")).Status);
        await stack.WaitForTransitionAsync("open", TransitionBound);

        // Every byte value, some not UTF-8, so that any text decoding on the way would show.
        var body = Enumerable.Range(0, 512).Select(i => (byte)(i * 7 % 256)).ToArray();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/orders/new?tenant=a%20b&x=1") { Content = new ByteArrayContent(body) };
        post.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        post.Headers.TryAddWithoutValidation("x-client-tag", "tag-1");
        using var deferred = await stack.Http.SendAsync(post, cancellation);

        Assert.Equal(HttpStatusCode.Accepted, deferred.StatusCode);
        var id = Assert.Single(deferred.Headers.GetValues(DeferredReplays.IdHeader));
        Assert.Equal("application/problem+json", deferred.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await deferred.Content.ReadAsStringAsync(cancellation)).RootElement;
        Assert.Equal(id, problem.GetProperty("deferredId").GetString());
        Assert.Equal(202, problem.GetProperty("status").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:deferred", problem.GetProperty("type").GetString());
        Assert.Empty(downstream.Posts);

        // A GET is not deferred: it is refused as without defer.
        Assert.Equal(503, (await stack.GetAsync("/orders")).Status);

        downstream.Failing = false;
        await Task.Delay(TimeSpan.FromSeconds(1.2), cancellation);
        Assert.Equal(200, (await stack.GetAsync("/orders")).Status);
        await stack.WaitForTransitionAsync("closed", TransitionBound);
        await stack.FunctionLog.WaitForLineAsync(line => line.Contains("\"message\":\"replay finished\"", StringComparison.Ordinal), TransitionBound, cancellation);

        var received = Assert.Single(downstream.Posts);
        Assert.Equal("/orders/new?tenant=a%20b&x=1", received.PathAndQuery);
        Assert.Equal(body, received.Body);
        Assert.Equal(id, received.IdempotencyKey);
        Assert.Equal("tag-1", received.ClientTag);
        Assert.Equal("application/octet-stream", received.ContentType);

        Assert.Contains(stack.FunctionLog.Lines, line => line.Contains("\"message\":\"replay finished\"", StringComparison.Ordinal) && line.Contains("\"replayed\":1", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
        Assert.Single(downstream.Posts);
    }

    [Fact]
    public async Task StoppingTheHostDuringAReplayLosesNothingTheNextCloseResumesIt()
    {
        using var downstream = new RecordingDownstream();
        await using var server = await CountingHttpServer.StartAsync(downstream.HandleAsync);
        var cancellation = TestContext.Current.CancellationToken;
        await using var dynamoDb = await CircuitBreaker.Local.Dynalite.LocalDynamoDb.StartAsync(
            DynaliteFixture.RepositoryRoot, CircuitBreaker.Local.Hosting.LocalSystem.TableName, CircuitBreaker.Local.Hosting.LocalSystem.Region, TimeProvider.System, TextWriter.Null, cancellation);
        string[] options =
        [
            "--downstream", server.Address.AbsoluteUri, "--when-open", "defer", "--timeout-seconds", "5",
            "--failure-threshold", "2", "--window-seconds", "30", "--open-seconds", "1",
        ];
        string id;
        await using (var first = await InProcessLocalHost.StartOverAsync(dynamoDb, options))
        {
            await OpenAsync(first, downstream);
            using var deferred = await first.Http.PostAsync("/orders", new StringContent("{\"order\":1}"), cancellation);
            Assert.Equal(HttpStatusCode.Accepted, deferred.StatusCode);
            id = Assert.Single(deferred.Headers.GetValues(DeferredReplays.IdHeader));

            // The downstream takes the replayed request and never answers: the host is stopped (Ctrl+C) mid-replay.
            downstream.Hold = true;
            await CloseAsync(first, downstream);
            await WaitUntilAsync(() => downstream.PostsArrived == 1, cancellation);
        }

        Assert.Empty(downstream.Posts);
        downstream.Hold = false;
        downstream.Release();
        await using var second = await InProcessLocalHost.StartOverAsync(dynamoDb, options);
        await OpenAsync(second, downstream);
        await CloseAsync(second, downstream);
        await second.FunctionLog.WaitForLineAsync(line => line.Contains("\"message\":\"replay finished\"", StringComparison.Ordinal), TransitionBound, cancellation);

        var received = Assert.Single(downstream.Posts);
        Assert.Equal(id, received.IdempotencyKey);
        Assert.Equal("{\"order\":1}"u8.ToArray(), received.Body);
        Assert.Equal(2, downstream.PostsArrived);
    }

    private static async Task OpenAsync(InProcessLocalHost stack, RecordingDownstream downstream)
    {
        downstream.Failing = true;
        Assert.Equal(502, (await stack.GetAsync("/orders")).Status);
        Assert.Equal(502, (await stack.GetAsync("/orders")).Status);
        await stack.WaitForTransitionAsync("open", TransitionBound);
    }

    private static async Task CloseAsync(InProcessLocalHost stack, RecordingDownstream downstream)
    {
        downstream.Failing = false;
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        Assert.Equal(200, (await stack.GetAsync("/orders")).Status);
        await stack.WaitForTransitionAsync("closed", TransitionBound);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + TransitionBound;
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>A downstream that fails while told to, and records each POST it answers.</summary>
    internal sealed class RecordingDownstream : IDisposable
    {
        private readonly ConcurrentQueue<ReceivedPost> _posts = new();
        private readonly SemaphoreSlim _held = new(0);
        private volatile bool _failing;
        private volatile bool _hold;

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }

        /// <summary>While true, POSTs are held (recorded as they arrive, never answered) until <see cref="Release"/>.</summary>
        public bool Hold
        {
            get => _hold;
            set => _hold = value;
        }

        public IReadOnlyCollection<ReceivedPost> Posts => _posts;

        public int PostsArrived => Volatile.Read(ref _arrived);

        private int _arrived;

        public async Task HandleAsync(HttpContext context)
        {
            if (_failing)
            {
                context.Response.StatusCode = 500;
                return;
            }

            if (HttpMethods.IsPost(context.Request.Method))
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
                Interlocked.Increment(ref _arrived);
                if (_hold)
                {
                    await _held.WaitAsync(context.RequestAborted);
                }

                _posts.Enqueue(new ReceivedPost(
                    context.Request.Path + context.Request.QueryString,
                    buffer.ToArray(),
                    context.Request.Headers[DeferredReplays.IdempotencyKeyHeader].ToString(),
                    context.Request.Headers["x-client-tag"].ToString(),
                    context.Request.ContentType));
                context.Response.StatusCode = 201;
                return;
            }

            await context.Response.WriteAsync("ok", context.RequestAborted);
        }

        public void Release() => _held.Release(int.MaxValue / 2);

        public void Dispose() => _held.Dispose();
    }

    internal sealed record ReceivedPost(string PathAndQuery, byte[] Body, string IdempotencyKey, string ClientTag, string? ContentType);
}
