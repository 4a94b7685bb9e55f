using CircuitBreaker.Contract;

namespace CircuitBreaker.Infra.Configuration;

/// <summary>
/// The functions' environment as it will be deployed, checked against Lambda's 4 KB limit before any resource is
/// declared, so that <c>pulumi preview</c> says what is wrong instead of <c>pulumi up</c> failing half-way.
/// </summary>
public static class FunctionEnvironmentEstimate
{
    /// <summary>
    /// Stands in for the table's and the bus's names, which Pulumi generates (the logical name and 8 characters,
    /// about 30 in all): generously long, so that the real environment is never larger than the estimate.
    /// </summary>
    public static readonly string GeneratedNameStandIn = new('x', 64);

    /// <summary>The variables of either function: the circuit's, the table and the bus.</summary>
    public static IReadOnlyDictionary<string, string> Of(RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return new Dictionary<string, string>(routes.ToEnvironment(), StringComparer.Ordinal)
        {
            [FunctionEnvironment.TableName] = GeneratedNameStandIn,
            [FunctionEnvironment.EventBusName] = GeneratedNameStandIn,
        };
    }

    /// <summary>Null when the environment fits; otherwise the message (size, limit, what to do).</summary>
    public static string? Problem(RouteTable routes) =>
        LambdaEnvironmentLimit.Problem(Of(routes), "each function (webservice and recorder; table and bus names estimated at 64 characters each)");
}
