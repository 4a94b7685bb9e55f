using Amazon.Runtime;

namespace CircuitBreaker.Bench;

/// <summary>Gives the AWS SDK an HttpClient whose requests pass through <see cref="CountingHttpHandler"/>.</summary>
internal sealed class CountingHttpClientFactory(DynamoDbRequestCounter counter) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new CountingHttpHandler(counter)) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(10) };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => "counting";
}
