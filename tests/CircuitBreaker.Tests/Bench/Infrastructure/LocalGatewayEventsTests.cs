using CircuitBreaker.Bench;
using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Tests.Bench.Infrastructure;

public sealed class LocalGatewayEventsTests
{
    [Fact]
    public void TheWebserviceReadsTheEventAsTheGetItDescribes()
    {
        var payload = LocalGatewayEvents.Get("/bench", "req-7", DateTimeOffset.UnixEpoch);

        var (request, apiRequestId) = HttpApiRequestReader.Read(payload);

        Assert.Equal("GET", request.Method);
        Assert.Equal("/bench", request.Path);
        Assert.Equal(string.Empty, request.Query);
        Assert.Equal("application/json", request.Headers["accept"]);
        Assert.Equal("req-7", apiRequestId);
    }

    [Fact]
    public void AnInvocationHasTheFunctionsWholeTimeoutAhead()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));

        var invocation = LocalGatewayEvents.Invocation("req-8", TimeSpan.FromSeconds(12), time);

        Assert.Equal("req-8", invocation.RequestId);
        Assert.Equal(time.GetUtcNow().AddSeconds(12), invocation.Deadline);
        Assert.Equal("/bench", HttpApiRequestReader.Read(invocation.Payload).Request.Path);
    }
}
