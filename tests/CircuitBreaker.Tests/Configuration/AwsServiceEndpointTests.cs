using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;

namespace CircuitBreaker.Tests.Configuration;

public sealed class AwsServiceEndpointTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void WithoutOverridesEventBridgeIsTheRegionalEndpointAndDynamoDbIsLeftToTheSdk()
    {
        var environment = Environment();

        Assert.Equal(new Uri("https://events.eu-central-1.amazonaws.com/"), AwsServiceEndpoint.ForEvents(environment, "eu-central-1"));
        Assert.Null(AwsServiceEndpoint.DynamoDbOverride(environment));
    }

    [Fact]
    public void TheServiceSpecificOverrideWinsOverTheGeneralOne()
    {
        var environment = Environment(
            (FunctionEnvironment.EndpointUrl, "http://127.0.0.1:4000"),
            (FunctionEnvironment.EventsEndpointUrl, "http://127.0.0.1:4010"));

        Assert.Equal(new Uri("http://127.0.0.1:4010"), AwsServiceEndpoint.ForEvents(environment, "us-east-1"));
        Assert.Equal(new Uri("http://127.0.0.1:4000"), AwsServiceEndpoint.DynamoDbOverride(environment));
    }

    [Fact]
    public void AnOverrideThatIsNotAnHttpUrlIsAConfigurationError()
    {
        var error = Assert.Throws<FunctionConfigurationException>(
            () => AwsServiceEndpoint.DynamoDbOverride(Environment((FunctionEnvironment.DynamoDbEndpointUrl, "localhost:8000"))));

        Assert.Contains("AWS_ENDPOINT_URL_DYNAMODB is 'localhost:8000'", error.Message, StringComparison.Ordinal);
    }
}
