using Amazon.Runtime;

namespace CircuitBreaker.Local.Hosting;

/// <summary>
/// The AWS credentials and region the functions sign their requests with. Against dynalite (and the local EventBridge)
/// any signature does, so they are dummies; against a DynamoDB given with <c>--dynamodb-endpoint</c> they are the host's
/// own, from the variables the AWS SDKs read (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION),
/// and dummies still when those are not set, which DynamoDB Local and dynalite accept.
/// </summary>
internal sealed class FunctionCredentials
{
    private const string DummyKey = "local";
    private const string DefaultRegion = "us-east-1";

    private FunctionCredentials(string accessKeyId, string secretAccessKey, string? sessionToken, string region, bool fromEnvironment)
    {
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = sessionToken;
        Region = region;
        FromEnvironment = fromEnvironment;
    }

    /// <summary>Dummy credentials for us-east-1.</summary>
    public static FunctionCredentials Dummy { get; } = new(DummyKey, DummyKey, null, DefaultRegion, fromEnvironment: false);

    /// <summary>The access key id.</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The session token of temporary credentials, if any.</summary>
    public string? SessionToken { get; }

    /// <summary>The region to sign for.</summary>
    public string Region { get; }

    /// <summary>True when the keys came from the environment, false for dummies.</summary>
    public bool FromEnvironment { get; }

    /// <summary>
    /// The keys of <paramref name="environment"/> when both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (with
    /// AWS_SESSION_TOKEN if set), dummies otherwise; the region of AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
    /// </summary>
    public static FunctionCredentials From(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Value(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var region = Value("AWS_REGION") ?? Value("AWS_DEFAULT_REGION") ?? DefaultRegion;
        return Value("AWS_ACCESS_KEY_ID") is { } key && Value("AWS_SECRET_ACCESS_KEY") is { } secret
            ? new FunctionCredentials(key, secret, Value("AWS_SESSION_TOKEN"), region, fromEnvironment: true)
            : new FunctionCredentials(DummyKey, DummyKey, null, region, fromEnvironment: false);
    }

    /// <summary>The same credentials for the SDK's own clients.</summary>
    public AWSCredentials ToSdkCredentials() =>
        SessionToken is null ? new BasicAWSCredentials(AccessKeyId, SecretAccessKey) : new SessionAWSCredentials(AccessKeyId, SecretAccessKey, SessionToken);

    /// <summary>For the banner: where the keys came from and the region, never the secret.</summary>
    public override string ToString() =>
        $"{(FromEnvironment ? "credentials from the environment" : "dummy credentials")}, region {Region}";
}
