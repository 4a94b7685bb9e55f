namespace CircuitBreaker.Contract;

/// <summary>
/// Every route of a deployment, validated, with the stack-wide values the routes inherit. Read it with
/// <see cref="RouteTableReader"/>; hand it to the functions with <see cref="ToEnvironment"/>.
/// </summary>
public sealed class RouteTable
{
    internal RouteTable(IReadOnlyList<RouteSettings> routes, bool isShorthand, CircuitSettings stackWide, IReadOnlyDictionary<string, string> stackWideEnvironment)
    {
        Routes = routes;
        StackWide = stackWide;
        IsShorthand = isShorthand;
        _stackWideEnvironment = stackWideEnvironment;
    }

    private readonly IReadOnlyDictionary<string, string> _stackWideEnvironment;

    /// <summary>The one-route shorthand for <paramref name="circuit"/>: prefix "/", path kept, today's variables.</summary>
    public static RouteTable OneRoute(CircuitSettings circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RouteKeys.Prefix] = RoutePrefix.Root,
            [CircuitSettingKeys.DownstreamUrl.ConfigKey] = circuit.DownstreamUrl.AbsoluteUri,
        };
        return new RouteTable([new RouteSettings(RoutePrefix.Root, RouteKeys.StripPrefixDefault, circuit, overrides)], isShorthand: true, circuit, circuit.ToEnvironment());
    }

    /// <summary>The routes, in the order they were given (matching picks the longest prefix, not the first).</summary>
    public IReadOnlyList<RouteSettings> Routes { get; }

    /// <summary>
    /// True when the table came from the top-level <c>downstreamUrl</c> alone: one route, prefix "/", path kept,
    /// exactly what a deployment without routes always did.
    /// </summary>
    public bool IsShorthand { get; }

    /// <summary>
    /// The top-level values alone, which every route inherits unless it sets its own: what the recorder applies to a
    /// failure of a service id that no route has (a function embedding the library, or a route since removed). With
    /// routes its downstream URL and service id are stand-ins that are never called or written anywhere.
    /// </summary>
    public CircuitSettings StackWide { get; }

    /// <summary>The metrics namespace, which all routes share.</summary>
    public string MetricsNamespace => Routes[0].Circuit.MetricsNamespace;

    /// <summary>The longest downstream timeout of any route: the webservice function's timeout must cover it.</summary>
    public TimeSpan LongestDownstreamTimeout => Routes.Max(route => route.Circuit.DownstreamTimeout);

    /// <summary>The webservice function's timeout, whole seconds: the longest route timeout plus the response reserve.</summary>
    public int WebserviceTimeoutSeconds => Routes.Max(route => route.Circuit.WebserviceTimeoutSeconds);

    /// <summary>The route whose circuit is <paramref name="serviceId"/>, or null.</summary>
    public RouteSettings? ForService(string serviceId) =>
        Routes.FirstOrDefault(route => string.Equals(route.ServiceId, serviceId, StringComparison.Ordinal));

    /// <summary>
    /// The functions' environment variables: the shorthand writes today's variables only (<c>DOWNSTREAM_URL</c>,
    /// <c>SERVICE_ID</c>, …); routes write the stack-wide values plus <c>ROUTES</c>, compact JSON holding each
    /// route's own keys only, so that the table fits Lambda's 4 KB environment.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToEnvironment()
    {
        var environment = new Dictionary<string, string>(_stackWideEnvironment, StringComparer.Ordinal);
        if (!IsShorthand)
        {
            environment[RouteKeys.Routes.EnvironmentVariable] = RouteListJson.Write(Routes);
        }

        return environment;
    }
}
