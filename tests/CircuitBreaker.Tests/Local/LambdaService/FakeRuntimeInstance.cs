using System.Text;

namespace CircuitBreaker.Tests.Local.LambdaService;

/// <summary>A stand-in function instance for tests of the local servers.</summary>
internal static class FakeRuntimeInstance
{
    // A minimal custom runtime: the same loop a real one runs, over plain HttpClient.
    public static async Task RunAsync(string runtimeApi, Func<HttpResponseMessage, byte[], Task<FakeAnswer>> handle, CancellationToken stop)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"), Timeout = Timeout.InfiniteTimeSpan };
        while (!stop.IsCancellationRequested)
        {
            HttpResponseMessage next;
            try
            {
                next = await client.GetAsync("runtime/invocation/next", stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            using (next)
            {
                var id = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();
                var payload = await next.Content.ReadAsByteArrayAsync(stop);
                var answer = await handle(next, payload);
                using var content = new ByteArrayContent(answer.Body);
                if (answer.ErrorType is not null)
                {
                    content.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", answer.ErrorType);
                }

                using var posted = await client.PostAsync($"runtime/invocation/{id}/{(answer.IsError ? "error" : "response")}", content, stop);
            }
        }
    }
}

/// <summary>What a fake instance posts back.</summary>
internal sealed record FakeAnswer(bool IsError, byte[] Body, string? ErrorType)
{
    public static FakeAnswer Response(byte[] body) => new(false, body, null);

    public static FakeAnswer Error(string body, string? type) => new(true, Encoding.UTF8.GetBytes(body), type);
}
