using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.Identity;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Aws.Configuration;

/// <summary>
/// The one place the breaker's AWS clients are built, for the functions, the Polly library and circuitctl alike: the
/// low-level DynamoDB client the store uses (a bounded time per attempt, few retries) and the PutEvents client.
/// </summary>
public static class AwsClientFactory
{
    /// <summary>Retries after the first attempt unless the caller says otherwise.</summary>
    public const int DefaultMaxErrorRetry = 2;

    /// <summary>
    /// Creates a DynamoDB client for <paramref name="region"/>, or for <paramref name="endpointOverride"/> (signing for
    /// <paramref name="region"/>) when one is given.
    /// </summary>
    /// <param name="endpointOverride">An explicit endpoint (dynalite, a VPC endpoint); null for the regional one.</param>
    /// <param name="region">The region to sign for, e.g. <c>us-east-1</c>.</param>
    /// <param name="timeout">Limit on one HTTP attempt, connecting included.</param>
    /// <param name="credentials">Explicit credentials; null uses the SDK's default chain (in Lambda: the environment variables).</param>
    /// <param name="maxErrorRetry">Retries after the first attempt for throttling, 5xx and transient network errors.</param>
    public static IAmazonDynamoDB DynamoDb(
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

    /// <summary>
    /// Creates a PutEvents client for <paramref name="eventBusName"/> at <paramref name="endpoint"/>, over an HTTP client of
    /// its own (disposed with it) that follows no redirect, since a redirected request would go unsigned or signed for
    /// another host, and has no overall timeout, since every publication carries its own budget.
    /// </summary>
    /// <param name="endpoint">EventBridge's endpoint (<see cref="AwsServiceEndpoint.ForEvents"/>).</param>
    /// <param name="region">The region to sign for.</param>
    /// <param name="eventBusName">The bus every event is put on.</param>
    /// <param name="credentials">Resolves the credentials on each attempt.</param>
    /// <param name="time">The clock for signing, backoff and elapsed times.</param>
    /// <param name="log">Receives one Warn line per event given up on.</param>
    public static PutEventsClient PutEvents(
        Uri endpoint, string region, string eventBusName, IIdentityResolver<AWSCredentials> credentials, TimeProvider time, FunctionLog log)
    {
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new PutEventsClient(
            http,
            new PutEventsClientOptions { Endpoint = endpoint, Region = region, EventBusName = eventBusName },
            credentials,
            time,
            log,
            ownsHttp: true);
    }
}
