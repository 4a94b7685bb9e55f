namespace CircuitBreaker.Contract;

/// <summary>
/// Every route of a deployment, validated, with the stack-wide values the routes inherit; or, for who has no route
/// (a recorder of a backend-only stack), the stack-wide policy alone. Read it with <see cref="RouteTableReader"/>; hand
/// it to the functions with <see cref="ToEnvironment"/>.
/// </summary>
public sealed class RouteTable
{
    private readonly RouteOptions? _stackWideOptions;
    private readonly string? _serviceId;

    private RouteTable(IReadOnlyList<RouteSettings> routes, bool isShorthand, CircuitPolicy stackWide, RouteOptions? stackWideOptions, string? serviceId)
    {
        Routes = routes;
        IsShorthand = isShorthand;
        StackWide = stackWide;
        _stackWideOptions = stackWideOptions;
        _serviceId = serviceId;
    }

    /// <summary>The one-route shorthand for <paramref name="circuit"/>: prefix "/", path kept, today's variables.</summary>
    public static RouteTable OneRoute(CircuitSettings circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RouteKeys.Prefix] = RoutePrefix.Root,
            [CircuitSettingKeys.DownstreamUrl.ConfigKey] = circuit.Target.DownstreamUrl.AbsoluteUri,
        };
        return new RouteTable([new RouteSettings(RoutePrefix.Root, RouteKeys.StripPrefixDefault, circuit, overrides)], isShorthand: true, circuit.Policy, null, circuit.ServiceId);
    }

    /// <summary>Routes, each with its own settings, over the top-level <paramref name="stackWide"/> policy and <paramref name="stackWideOptions"/>.</summary>
    internal static RouteTable Routed(IReadOnlyList<RouteSettings> routes, CircuitPolicy stackWide, RouteOptions stackWideOptions) =>
        new(routes, isShorthand: false, stackWide, stackWideOptions, serviceId: null);

    /// <summary>
    /// No route: the <paramref name="policy"/> a recorder applies to every failure, with the circuit's key when one is
    /// named (a backend-only stack's alarm and dashboard watch it), and the route options a downstream given later
    /// would have (a component's downstream URL that is another resource's output).
    /// </summary>
    public static RouteTable PolicyOnly(CircuitPolicy policy, string? serviceId, RouteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (serviceId is not null && !CircuitSettingsReader.IsValidServiceId(serviceId))
        {
            throw new ArgumentException($"'{serviceId}' is not a service id: expected {CircuitSettingKeys.ServiceId.ExpectedForm}.", nameof(serviceId));
        }

        return new RouteTable([], isShorthand: false, policy, options, serviceId);
    }

    /// <summary>The routes, in the order they were given (matching picks the longest prefix, not the first); empty for <see cref="PolicyOnly"/>.</summary>
    public IReadOnlyList<RouteSettings> Routes { get; }

    /// <summary>
    /// True when the table came from the top-level <c>downstreamUrl</c> alone: one route, prefix "/", path kept,
    /// exactly what a deployment without routes always did.
    /// </summary>
    public bool IsShorthand { get; }

    /// <summary>
    /// The top-level policy, which every route inherits unless it sets its own: what the recorder applies to a failure
    /// of a service id that no route has (a function embedding the library, or a route since removed).
    /// </summary>
    public CircuitPolicy StackWide { get; }

    /// <summary>The route options the routes inherit (the top level's); null for the shorthand, whose one route has its own.</summary>
    public RouteOptions? StackWideOptions => _stackWideOptions;

    /// <summary>The circuits the stack watches (an alarm and a dashboard row each): the routes' service ids, or the one a policy-only table names.</summary>
    public IReadOnlyList<string> ServiceIds => Routes.Count > 0 ? [.. Routes.Select(route => route.ServiceId)] : _serviceId is { } id ? [id] : [];

    /// <summary>The metrics namespace, which all routes share.</summary>
    public string MetricsNamespace => StackWide.MetricsNamespace;

    /// <summary>The longest downstream timeout of any route: the webservice function's timeout must cover it.</summary>
    public TimeSpan LongestDownstreamTimeout => Routes.Max(route => route.Circuit.Target.DownstreamTimeout);

    /// <summary>
    /// The webservice function's timeout, whole seconds: the longest route timeout plus the response reserve (without
    /// routes, that of the stack-wide options' timeout).
    /// </summary>
    public int WebserviceTimeoutSeconds => Routes.Count > 0
        ? Routes.Max(route => route.Circuit.WebserviceTimeoutSeconds)
        : CircuitSettings.WebserviceTimeoutSecondsFor((_stackWideOptions ?? RouteOptions.Default).DownstreamTimeout);

    /// <summary>The route whose circuit is <paramref name="serviceId"/>, or null.</summary>
    public RouteSettings? ForService(string serviceId) =>
        Routes.FirstOrDefault(route => string.Equals(route.ServiceId, serviceId, StringComparison.Ordinal));

    /// <summary>
    /// The functions' environment variables: the shorthand writes today's variables only (<c>DOWNSTREAM_URL</c>,
    /// <c>SERVICE_ID</c>, …); routes write the stack-wide values plus <c>ROUTES</c>, compact JSON holding each
    /// route's own keys only, so that the table fits Lambda's 4 KB environment; a policy-only table writes the policy
    /// (and <c>SERVICE_ID</c> when named).
    /// </summary>
    public IReadOnlyDictionary<string, string> ToEnvironment()
    {
        if (IsShorthand)
        {
            return Routes[0].Circuit.ToEnvironment();
        }

        var environment = new Dictionary<string, string>(StackWide.ToEnvironment(), StringComparer.Ordinal);
        foreach (var (variable, value) in _stackWideOptions?.ToEnvironment() ?? new Dictionary<string, string>())
        {
            environment[variable] = value;
        }

        if (Routes.Count > 0)
        {
            environment[RouteKeys.Routes.EnvironmentVariable] = RouteListJson.Write(Routes);
        }
        else if (_serviceId is { } serviceId)
        {
            environment[CircuitSettingKeys.ServiceId.EnvironmentVariable] = serviceId;
        }

        return environment;
    }
}
