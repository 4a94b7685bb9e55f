using Amazon.Runtime;

namespace CircuitBreaker.Bench;

/// <summary>Gives the AWS SDK an HttpClient whose requests pass through <see cref="CountingHttpHandler"/>.</summary>
internal sealed class CountingHttpClientFactory(DynamoDbRequestCounter counter) : HttpClientFactory
{
    // The SDK caches HttpClients process-wide by this string: one per counter, or counts would leak between counters.
    private readonly string _cacheKey = "counting-" + Guid.NewGuid().ToString("N");

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new CountingHttpHandler(counter)) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(10) };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => _cacheKey;
}
