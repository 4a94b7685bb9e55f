using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using CircuitBreaker.Functions.Webservice.Downstream;

namespace CircuitBreaker.Bench.Micro.Benchmarks;

/// <summary>
/// The relay's header work per request: checking the request and choosing the headers it relays (an event with the 14
/// headers a typical API call brings through API Gateway and 2 cookies), and choosing the downstream answer's headers
/// (10 of them) for the client.
/// </summary>
public class HeaderWorkBenchmarks : IDisposable
{
    private readonly Uri _downstream = new("http://127.0.0.1:8080/base/");
    private readonly RelayPolicy _policy = RelayPolicy.Default;
    private DownstreamRequest _request = null!;
    private HttpResponseMessage _response = null!;

    [GlobalSetup]
    public void Setup()
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["accept"] = "application/json",
            ["accept-encoding"] = "gzip, deflate, br",
            ["accept-language"] = "en-GB,en;q=0.9",
            ["authorization"] = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
            ["content-length"] = "0",
            ["host"] = "api.example.com",
            ["user-agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
            ["x-amzn-trace-id"] = "Root=1-67891233-abcdef012345678912345678",
            ["x-forwarded-for"] = "198.51.100.7",
            ["x-forwarded-port"] = "443",
            ["x-forwarded-proto"] = "https",
            ["x-api-key"] = "k-123",
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["idempotency-key"] = "8e03978e-40d5-43e8-bc93-6894a57f9324",
        };
        _request = new DownstreamRequest("GET", "/orders/7", "page=2", headers, ["session=abc", "theme=dark"], null, "198.51.100.7", "api.example.com");

        _response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}")) };
        _response.Content.Headers.TryAddWithoutValidation("content-type", "application/json; charset=utf-8");
        _response.Content.Headers.TryAddWithoutValidation("content-length", "2");
        foreach (var (name, value) in new[]
        {
            ("date", "Tue, 28 Nov 2026 12:00:00 GMT"), ("server", "internal/1.0"), ("cache-control", "no-store"),
            ("etag", "\"33a64df5\""), ("link", "</orders?page=3>; rel=\"next\""), ("x-ratelimit-remaining", "41"),
            ("set-cookie", "session=abc; Path=/; HttpOnly"), ("vary", "Accept-Encoding"),
        })
        {
            _response.Headers.TryAddWithoutValidation(name, value);
        }
    }

    public void Dispose()
    {
        _response?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Description = "request: check and choose headers (RelayRequestFactory)")]
    public object? PrepareRequest() => RelayRequestFactory.Prepare(_request, _downstream, _policy).Request;

    [Benchmark(Description = "request: choose headers (HeaderFilter.Filter)")]
    public int FilterRequestHeaders() => HeaderFilter.Filter(_request, _policy).Relayed.Count;

    [Benchmark(Description = "response: choose headers (HeaderFilter.FilterResponse)")]
    public int FilterResponseHeaders() => HeaderFilter.FilterResponse(_response, isHead: false, _policy).Headers.Count;
}
