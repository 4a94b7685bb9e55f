using System.Diagnostics.CodeAnalysis;
using CircuitBreaker.Infra.Configuration;
using Pulumi;

namespace CircuitBreaker.Infra;

/// <summary>
/// What a <see cref="CircuitBreakerComponent"/> is built from: the backend's arguments (it declares the same
/// backend as a <see cref="CircuitBreakerBackend"/>) and the throttling of the HTTP API in front of the webservice.
/// </summary>
public sealed class CircuitBreakerArgs : CircuitBreakerBackendArgs
{
    /// <summary>Arguments to fill in with an object initializer.</summary>
    public CircuitBreakerArgs()
    {
    }

    [SetsRequiredMembers]
    private CircuitBreakerArgs(InfraSettings settings, Archive code, string functionNamePrefix)
        : base(settings, code, functionNamePrefix)
    {
        ThrottlingBurstLimit = settings.ThrottlingBurstLimit;
        ThrottlingRateLimit = settings.ThrottlingRateLimit;
    }

    /// <summary>HTTP API stage burst limit.</summary>
    public int ThrottlingBurstLimit { get; init; } = InfraDefaults.ThrottlingBurstLimit;

    /// <summary>HTTP API stage rate limit, requests per second.</summary>
    public double ThrottlingRateLimit { get; init; } = InfraDefaults.ThrottlingRateLimit;

    /// <summary>The arguments that <paramref name="settings"/> describe.</summary>
    public static new CircuitBreakerArgs From(InfraSettings settings, Archive code, string functionNamePrefix) =>
        new(settings, code, functionNamePrefix);

    /// <summary>The part of these arguments the backend is built from: these arguments themselves.</summary>
    public CircuitBreakerBackendArgs Backend() => this;
}
