using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace CircuitBreaker.Core.Store;

/// <summary>Builds the low-level DynamoDB client the store uses, with a bounded time per attempt and few retries.</summary>
internal static class DynamoDbClientFactory
{
    /// <summary>Retries after the first attempt unless the caller says otherwise.</summary>
    public const int DefaultMaxErrorRetry = 2;

    /// <summary>
    /// Creates a client for <paramref name="region"/>, or for <paramref name="endpointOverride"/> (signing for
    /// <paramref name="region"/>) when one is given.
    /// </summary>
    /// <param name="endpointOverride">An explicit endpoint (dynalite, a VPC endpoint); null for the regional one.</param>
    /// <param name="region">The region to sign for, e.g. <c>us-east-1</c>.</param>
    /// <param name="timeout">Limit on one HTTP attempt, connecting included.</param>
    /// <param name="credentials">Explicit credentials; null uses the SDK's default chain (in Lambda: the environment variables).</param>
    /// <param name="maxErrorRetry">Retries after the first attempt for throttling, 5xx and transient network errors.</param>
    public static IAmazonDynamoDB Create(
        Uri? endpointOverride,
        string region,
        TimeSpan timeout,
        AWSCredentials? credentials = null,
        int maxErrorRetry = DefaultMaxErrorRetry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maxErrorRetry);

        var config = new AmazonDynamoDBConfig
        {
            Timeout = timeout,
            ConnectTimeout = timeout,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = maxErrorRetry,

            // The endpoint was already resolved from our own view of the environment (AwsServiceEndpoint);
            // the SDK must not read the process environment again, where in-process hosts differ.
            IgnoreConfiguredEndpointUrls = true,
        };

        if (endpointOverride is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = endpointOverride.AbsoluteUri;
            config.AuthenticationRegion = region;
        }

        return credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(credentials, config);
    }
}
