using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Identity;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Core.Events;

namespace CircuitBreaker.Aws.Configuration;

/// <summary>
/// Chooses the credentials for both AWS clients. Keys given in the function's own environment lookup win, so that
/// instances hosted in one process (local mode, tests) each use theirs; otherwise the SDK's default chain, which in
/// Lambda reads the variables Lambda sets.
/// </summary>
public static class CredentialsFromEnvironment
{
    /// <summary>The explicit credentials in <paramref name="environment"/>, or null for the SDK's default chain.</summary>
    public static AWSCredentials? Explicit(Func<string, string?> environment)
    {
        var accessKey = environment("AWS_ACCESS_KEY_ID");
        var secretKey = environment("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            return null;
        }

        var token = environment("AWS_SESSION_TOKEN");
        return string.IsNullOrEmpty(token)
            ? new BasicAWSCredentials(accessKey, secretKey)
            : new SessionAWSCredentials(accessKey, secretKey, token);
    }

    /// <summary>A resolver for the signing client: the explicit credentials, or the SDK's default chain.</summary>
    public static IIdentityResolver<AWSCredentials> Resolver(AWSCredentials? explicitCredentials) =>
        explicitCredentials is null ? new DefaultAWSCredentialsIdentityResolver() : new FixedCredentialsResolver(explicitCredentials);
}
