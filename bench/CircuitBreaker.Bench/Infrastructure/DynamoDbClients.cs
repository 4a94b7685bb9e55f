using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace CircuitBreaker.Bench;

/// <summary>
/// DynamoDB clients for dynalite on loopback, configured as the functions configure theirs (short timeout,
/// standard retries), optionally counting their requests.
/// </summary>
internal static class DynamoDbClients
{
    public const string Region = "us-east-1";

    public static IAmazonDynamoDB Create(Uri endpoint, DynamoDbRequestCounter? counter = null)
    {
        var config = new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint.AbsoluteUri,
            AuthenticationRegion = Region,
            Timeout = TimeSpan.FromSeconds(5),
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 2,
            IgnoreConfiguredEndpointUrls = true,
        };
        if (counter is not null)
        {
            config.HttpClientFactory = new CountingHttpClientFactory(counter);
        }

        return new AmazonDynamoDBClient(new BasicAWSCredentials("bench", "bench"), config);
    }
}
