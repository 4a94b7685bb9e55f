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

    /// <summary>
    /// The downstream of a one-route breaker (prefix "/", path kept) as another resource's output, such as a load
    /// balancer's or another API's URL, known only once that resource exists. <see cref="CircuitBreakerBackendArgs.Routes"/>
    /// is then that route's policy, circuit key and options alone (<see cref="RouteTable.PolicyOnly"/> with a service id,
    /// which cannot default to the URL's host since the URL is not known when the stack is planned), and the webservice
    /// gets this URL as <c>DOWNSTREAM_URL</c>. Null (the default): the routes name their downstreams.
    /// </summary>
    public Input<string>? DownstreamUrl { get; init; }

    /// <summary>The arguments that <paramref name="settings"/> describe.</summary>
    public static new CircuitBreakerArgs From(InfraSettings settings, Archive code, string functionNamePrefix) =>
        new(settings, code, functionNamePrefix);

    /// <summary>The part of these arguments the backend is built from: these arguments themselves.</summary>
    public CircuitBreakerBackendArgs Backend() => this;

    /// <summary>Throws when the routes and <see cref="DownstreamUrl"/> do not give the webservice exactly one way to its downstreams.</summary>
    internal void EnsureDownstream()
    {
        if (DownstreamUrl is null && Routes.Routes.Count == 0)
        {
            throw new ArgumentException("The webservice needs a downstream: give Routes with routes (RouteTable.OneRoute or RouteTableReader), or DownstreamUrl.", nameof(Routes));
        }

        if (DownstreamUrl is not null && (Routes.Routes.Count > 0 || Routes.ServiceIds.Count != 1))
        {
            throw new ArgumentException(
                "With DownstreamUrl, Routes is the one route's policy and service id alone: RouteTable.PolicyOnly(policy, serviceId, options).", nameof(DownstreamUrl));
        }
    }

    /// <inheritdoc />
    private protected override InputMap<string> FunctionEnvironment()
    {
        var environment = base.FunctionEnvironment();
        if (DownstreamUrl is { } downstream)
        {
            environment.Add(CircuitBreaker.Contract.CircuitSettingKeys.DownstreamUrl.EnvironmentVariable, downstream);
        }

        return environment;
    }
}
