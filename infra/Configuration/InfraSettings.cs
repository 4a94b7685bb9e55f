using CircuitBreaker.Contract;

namespace CircuitBreaker.Infra.Configuration;

/// <summary>Everything the stack is configured with, validated.</summary>
public sealed record InfraSettings
{
    /// <summary>
    /// The breaker's settings, handed to the functions as environment variables: the routes, each with its target and its
    /// circuit's policy (one route for the <c>downstreamUrl</c> shorthand), or in backend mode the policy alone and the
    /// circuit the alarm watches.
    /// </summary>
    public required RouteTable Routes { get; init; }

    /// <summary>The functions' instruction set.</summary>
    public required LambdaArchitecture Architecture { get; init; }

    /// <summary>Native AOT (true) or self-contained trimmed (false) <c>bootstrap</c>.</summary>
    public required bool NativeAot { get; init; }

    /// <summary>Memory of each function, MB.</summary>
    public required int MemorySizeMb { get; init; }

    /// <summary>The recorder function's timeout, seconds.</summary>
    public required int RecorderTimeoutSeconds { get; init; }

    /// <summary>Retention of both functions' log groups, days.</summary>
    public required int LogRetentionDays { get; init; }

    /// <summary>HTTP API stage burst limit.</summary>
    public required int ThrottlingBurstLimit { get; init; }

    /// <summary>HTTP API stage rate limit, requests per second.</summary>
    public required double ThrottlingRateLimit { get; init; }

    /// <summary>EventBridge retries of a failure event to the recorder.</summary>
    public required int EventRetryAttempts { get; init; }

    /// <summary>How long EventBridge keeps retrying a failure event, seconds.</summary>
    public required int EventMaxAgeSeconds { get; init; }

    /// <summary>A folder with a prebuilt <c>bootstrap</c>, or null to build it.</summary>
    public string? ArtifactPath { get; init; }

    /// <summary>The whole breaker, or its backend alone.</summary>
    public DeploymentMode Mode { get; init; } = DeploymentMode.Full;

    /// <summary>The address subscribed to the alert topic, or null for none.</summary>
    public string? AlarmEmail { get; init; }
}
