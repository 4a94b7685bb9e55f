namespace CircuitBreaker.Local.HttpApi;

/// <summary>The local HTTP API's identity and limits.</summary>
/// <param name="ApiId">The event's <c>requestContext.apiId</c>.</param>
/// <param name="AccountId">The event's <c>requestContext.accountId</c>.</param>
/// <param name="IntegrationTimeout">How long the gateway waits for the function (HTTP API: at most 30 s); null = 30 s.</param>
internal sealed record HttpApiGatewayOptions(
    string ApiId = "local",
    string AccountId = "000000000000",
    TimeSpan? IntegrationTimeout = null)
{
    /// <summary>HTTP API's request payload limit.</summary>
    public const int MaxRequestBodyBytes = 10 * 1024 * 1024;

    /// <summary><see cref="IntegrationTimeout"/> or 30 s.</summary>
    public TimeSpan EffectiveIntegrationTimeout => IntegrationTimeout ?? TimeSpan.FromSeconds(30);
}
