using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Configuration;
using CircuitBreaker.Functions.Events;

namespace CircuitBreaker.Tests.Events;

public sealed class PutEventsClientOptionsTests
{
    [Fact]
    public void ReadsRegionBusAndTheRegionalEndpoint()
    {
        var options = PutEventsClientOptions.FromEnvironment(Environment(
            (FunctionEnvironment.Region, "eu-central-1"),
            (FunctionEnvironment.EventBusName, " failures ")));

        Assert.Equal("eu-central-1", options.Region);
        Assert.Equal("failures", options.EventBusName);
        Assert.Equal(new Uri("https://events.eu-central-1.amazonaws.com/"), options.Endpoint);
        Assert.True(options.MaxAttempts >= 1);
    }

    [Fact]
    public void TakesTheEventsEndpointOverride()
    {
        var options = PutEventsClientOptions.FromEnvironment(Environment(
            (FunctionEnvironment.Region, "us-east-1"),
            (FunctionEnvironment.EventBusName, "failures"),
            (FunctionEnvironment.EndpointUrl, "http://127.0.0.1:4000"),
            (FunctionEnvironment.EventsEndpointUrl, "http://127.0.0.1:4010")));

        Assert.Equal(new Uri("http://127.0.0.1:4010/"), options.Endpoint);
    }

    [Fact]
    public void NamesEveryMissingVariable()
    {
        var error = Assert.Throws<FunctionConfigurationException>(() => PutEventsClientOptions.FromEnvironment(Environment()));

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith(FunctionEnvironment.Region + " ", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith(FunctionEnvironment.EventBusName + " ", StringComparison.Ordinal));
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }
}
