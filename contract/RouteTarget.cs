namespace CircuitBreaker.Contract;

/// <summary>
/// Where a route's calls go and what the relay passes on: the downstream's URL (here) and the <see cref="RouteOptions"/>.
/// Only the webservice's routes have one; the breaker's rules are the <see cref="CircuitPolicy"/>.
/// </summary>
public sealed record RouteTarget : RouteOptions
{
    /// <summary>A target to fill in with an object initializer.</summary>
    public RouteTarget()
    {
    }

    /// <summary>The target <paramref name="downstreamUrl"/> with <paramref name="options"/>.</summary>
    /// <param name="downstreamUrl">The protected downstream.</param>
    /// <param name="options">The timeout and the relay's rules.</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public RouteTarget(Uri downstreamUrl, RouteOptions options)
        : base(options)
    {
        DownstreamUrl = downstreamUrl;
    }

    /// <summary>The protected downstream.</summary>
    public required Uri DownstreamUrl { get; init; }

    /// <summary>The target as the functions' environment variables, in invariant form.</summary>
    public override IReadOnlyDictionary<string, string> ToEnvironment() =>
        new Dictionary<string, string>(base.ToEnvironment()) { [CircuitSettingKeys.DownstreamUrl.EnvironmentVariable] = DownstreamUrl.AbsoluteUri };
}

/// <summary>
/// What a route's calls are given besides their downstream: the timeout and the route's say in the headers and paths
/// relayed. A stack's top level holds the ones its routes inherit (<see cref="RouteTableReader"/>).
/// </summary>
public record RouteOptions
{
    /// <summary>Every option at its default: a 10 s timeout, every end-to-end header relayed, no forwarding headers, no encoded slashes.</summary>
    public static RouteOptions Default { get; } = CircuitSettingsReader.ReadOptions(_ => null, setting => setting.ConfigKey, new List<string>());

    /// <summary>How long a downstream call may take before it counts as failed.</summary>
    public required TimeSpan DownstreamTimeout { get; init; }

    /// <summary>Whether the relay adds <c>Forwarded</c> and <c>X-Forwarded-For/-Host/-Proto</c> from API Gateway's request context.</summary>
    public bool ForwardedHeaders { get; init; }

    /// <summary>Client headers kept from the downstream on top of the relay's fixed rules.</summary>
    public HeaderNameList RequestHeadersToDrop { get; init; } = HeaderNameList.Empty;

    /// <summary>Downstream response headers kept from the client on top of the relay's fixed rules.</summary>
    public HeaderNameList ResponseHeadersToDrop { get; init; } = HeaderNameList.Empty;

    /// <summary>When not null, the only client headers relayed; null relays every end-to-end header.</summary>
    public HeaderNameList? RequestHeadersAllowed { get; init; }

    /// <summary>Whether a path may hold an encoded slash (<c>%2F</c>), relayed as sent.</summary>
    public bool AllowEncodedSlash { get; init; }

    /// <summary>What the route answers when the circuit will not let a call through.</summary>
    public WhenOpenMode WhenOpen { get; init; }

    /// <summary><c>whenOpen: stale</c>: how long after it was stored an answer may be served stale.</summary>
    public TimeSpan StaleFor { get; init; } = DefaultSeconds(CircuitSettingKeys.StaleSeconds);

    /// <summary><c>whenOpen: stale</c>: how often an instance stores the answer to the same request, at most.</summary>
    public TimeSpan StaleRefresh { get; init; } = DefaultSeconds(CircuitSettingKeys.StaleRefreshSeconds);

    /// <summary><c>whenOpen: static</c>: the answer's status.</summary>
    public int StaticStatus { get; init; } = int.Parse(CircuitSettingKeys.StaticStatus.DefaultValue!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>whenOpen: static</c>: the answer's Content-Type.</summary>
    public string StaticContentType { get; init; } = CircuitSettingKeys.StaticContentType.DefaultValue!;

    /// <summary><c>whenOpen: static</c>: the answer's body.</summary>
    public string StaticBody { get; init; } = CircuitSettingKeys.StaticBody.DefaultValue!;

    /// <summary>The <c>defer</c> mode's settings (used when <see cref="WhenOpen"/> is <see cref="WhenOpenMode.Defer"/>).</summary>
    public DeferOptions Defer { get; init; } = DeferOptions.Default;

    /// <summary>The options as the functions' environment variables, in invariant form.</summary>
    public virtual IReadOnlyDictionary<string, string> ToEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            [CircuitSettingKeys.DownstreamTimeoutSeconds.EnvironmentVariable] = SettingValues.Seconds(DownstreamTimeout),
        };

        // The relay's settings are written only when they differ from their defaults: most stacks set none, and the
        // environment has 4 KB for everything.
        if (ForwardedHeaders)
        {
            environment[CircuitSettingKeys.ForwardedHeaders.EnvironmentVariable] = "true";
        }

        if (AllowEncodedSlash)
        {
            environment[CircuitSettingKeys.AllowEncodedSlash.EnvironmentVariable] = "true";
        }

        if (WhenOpen != WhenOpenMode.Reject)
        {
            environment[CircuitSettingKeys.WhenOpen.EnvironmentVariable] = WhenOpenModes.Name(WhenOpen);
        }

        AddWhenOpenSettings(environment);
        Defer.WriteTo(environment);

        if (!RequestHeadersToDrop.IsEmpty)
        {
            environment[CircuitSettingKeys.RequestHeadersToDrop.EnvironmentVariable] = RequestHeadersToDrop.ToString();
        }

        if (!ResponseHeadersToDrop.IsEmpty)
        {
            environment[CircuitSettingKeys.ResponseHeadersToDrop.EnvironmentVariable] = ResponseHeadersToDrop.ToString();
        }

        if (RequestHeadersAllowed is { } allowed)
        {
            environment[CircuitSettingKeys.RequestHeadersAllowed.EnvironmentVariable] = allowed.ToString();
        }

        return environment;
    }

    private static TimeSpan DefaultSeconds(CircuitSetting setting) =>
        TimeSpan.FromSeconds(double.Parse(setting.DefaultValue!, System.Globalization.CultureInfo.InvariantCulture));

    // The stale and static modes' settings, each only when it differs from its default.
    private void AddWhenOpenSettings(Dictionary<string, string> environment)
    {
        var defaults = Default;
        if (StaleFor != defaults.StaleFor)
        {
            environment[CircuitSettingKeys.StaleSeconds.EnvironmentVariable] = SettingValues.Seconds(StaleFor);
        }

        if (StaleRefresh != defaults.StaleRefresh)
        {
            environment[CircuitSettingKeys.StaleRefreshSeconds.EnvironmentVariable] = SettingValues.Seconds(StaleRefresh);
        }

        if (StaticStatus != defaults.StaticStatus)
        {
            environment[CircuitSettingKeys.StaticStatus.EnvironmentVariable] = StaticStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (StaticContentType != defaults.StaticContentType)
        {
            environment[CircuitSettingKeys.StaticContentType.EnvironmentVariable] = StaticContentType;
        }

        if (StaticBody != defaults.StaticBody)
        {
            environment[CircuitSettingKeys.StaticBody.EnvironmentVariable] = StaticBody;
        }
    }
}
