using System.Text.Json;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.HttpApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CircuitBreaker.Bench;

/// <summary>
/// Payload-format-2.0 events for invoking a webservice handler directly: the event the local HTTP API builds for the
/// request, by its own translation, so that a direct call sees what a call through the HTTP API sees.
/// </summary>
internal static class LocalGatewayEvents
{
    /// <summary>The event of <c>GET <paramref name="path"/></c> from a loopback client asking for JSON.</summary>
    public static byte[] Get(string path, string requestId, DateTimeOffset now)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Host = new HostString("127.0.0.1");
        context.Request.Path = path;

        // The HTTP API takes rawPath from the request line as sent, which Kestrel keeps and a bare context does not.
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = path;
        context.Request.Headers.Accept = "application/json";
        var requestEvent = HttpApiRequestTranslator.ToEvent(context, [], requestId, now, new HttpApiGatewayOptions())
            ?? throw new ArgumentException($"'{path}' has no path the HTTP API accepts.", nameof(path));
        return JsonSerializer.SerializeToUtf8Bytes(requestEvent, HttpApiJsonContext.Default.HttpApiRequestEvent);
    }

    /// <summary>An invocation of <c>GET /bench</c> with the function's whole timeout ahead of it.</summary>
    public static LambdaInvocation Invocation(string requestId, TimeSpan functionTimeout, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new LambdaInvocation(requestId, now + functionTimeout, null, null, Get("/bench", requestId, now));
    }
}
