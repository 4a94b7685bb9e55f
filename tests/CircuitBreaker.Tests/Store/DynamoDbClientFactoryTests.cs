using Amazon.DynamoDBv2;
using Amazon.Runtime;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Tests.Store;

public sealed class DynamoDbClientFactoryTests
{
    private static readonly AWSCredentials Credentials = new BasicAWSCredentials("local", "local");

    [Fact]
    public void AnOverrideIsUsedAsTheServiceUrlAndSignedForTheRegion()
    {
        using var client = AwsClientFactory.DynamoDb(new Uri("http://127.0.0.1:4567/"), "eu-west-2", TimeSpan.FromSeconds(2), Credentials, maxErrorRetry: 1);
        var config = ((AmazonDynamoDBClient)client).Config;

        Assert.Equal("http://127.0.0.1:4567/", config.ServiceURL);
        Assert.Equal("eu-west-2", config.AuthenticationRegion);
        Assert.Equal(TimeSpan.FromSeconds(2), config.Timeout);
        Assert.Equal(1, config.MaxErrorRetry);
    }

    [Fact]
    public void WithoutAnOverrideTheRegionalEndpointIsUsed()
    {
        using var client = AwsClientFactory.DynamoDb(null, "eu-west-2", TimeSpan.FromSeconds(2), Credentials);
        var config = ((AmazonDynamoDBClient)client).Config;

        Assert.Null(config.ServiceURL);
        Assert.Equal("eu-west-2", config.RegionEndpoint?.SystemName);
        Assert.Equal(AwsClientFactory.DefaultMaxErrorRetry, config.MaxErrorRetry);
    }

    [Fact]
    public void ANonPositiveTimeoutIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AwsClientFactory.DynamoDb(null, "eu-west-2", TimeSpan.Zero, Credentials));
    }
}
