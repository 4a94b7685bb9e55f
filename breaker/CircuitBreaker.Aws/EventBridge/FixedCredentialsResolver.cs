using Amazon.Runtime;
using Amazon.Runtime.Identity;

namespace CircuitBreaker.Aws.EventBridge;

/// <summary>
/// Hands out credentials given up front (local host, tests) through the same interface as the SDK's
/// <see cref="Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver"/>, so the signer needs
/// no second code path.
/// </summary>
internal sealed class FixedCredentialsResolver(AWSCredentials credentials) : IIdentityResolver<AWSCredentials>
{
    /// <inheritdoc />
    public AWSCredentials ResolveIdentity(IClientConfig clientConfig) => credentials;

    /// <inheritdoc />
    public Task<AWSCredentials> ResolveIdentityAsync(IClientConfig clientConfig, CancellationToken cancellationToken = default) =>
        Task.FromResult(credentials);

    BaseIdentity IIdentityResolver.ResolveIdentity(IClientConfig clientConfig) => credentials;

    async Task<BaseIdentity> IIdentityResolver.ResolveIdentityAsync(IClientConfig clientConfig, CancellationToken cancellationToken) =>
        await ResolveIdentityAsync(clientConfig, cancellationToken).ConfigureAwait(false);
}
