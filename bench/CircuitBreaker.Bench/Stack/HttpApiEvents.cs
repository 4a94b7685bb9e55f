using System.Text.Json;
using CircuitBreaker.Functions.Http;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Stack;

/// <summary>Payload format 2.0 events and invocations for calling a webservice handler directly.</summary>
internal static class HttpApiEvents
{
    public static byte[] Get(string path, string requestId) => JsonSerializer.SerializeToUtf8Bytes(
        new HttpApiRequest
        {
            Version = "2.0",
            RawPath = path,
            RawQueryString = string.Empty,
            Headers = new Dictionary<string, string> { ["accept"] = "application/json" },
            RequestContext = new HttpApiRequestContext
            {
                RequestId = requestId,
                Http = new HttpApiRequestHttp { Method = "GET", Path = path, SourceIp = "127.0.0.1" },
            },
        },
        HttpJsonContext.Default.HttpApiRequest);

    public static LambdaInvocation Invocation(string requestId, TimeSpan functionTimeout, TimeProvider time) =>
        new(requestId, time.GetUtcNow() + functionTimeout, null, null, Get("/bench", requestId));
}
