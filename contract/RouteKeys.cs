namespace CircuitBreaker.Contract;

/// <summary>
/// The names that only routes have. A route's breaker settings use the same camelCase keys as the top level
/// (<see cref="CircuitSettingKeys"/>), so each setting has one name wherever it is written.
/// </summary>
public static class RouteKeys
{
    /// <summary>
    /// The list of routes: Pulumi config <c>routes</c> (structured), the functions' <c>ROUTES</c> variable (compact
    /// JSON), the local host's <c>--route</c> option and <c>routes:</c> in <c>--config</c> files.
    /// </summary>
    public static readonly CircuitSetting Routes =
        new("routes", "ROUTES", null, "a list of routes, each with prefix and downstreamUrl");

    /// <summary>The path prefix a route serves: "/" or segments such as "/orders/v2", without a trailing "/".</summary>
    public const string Prefix = "prefix";

    /// <summary>Whether the prefix is removed from the path before it is appended to the route's downstream URL.</summary>
    public const string StripPrefix = "stripPrefix";

    /// <summary>The default of <see cref="StripPrefix"/>: the downstream sees the path the client sent.</summary>
    public const bool StripPrefixDefault = false;

    /// <summary>
    /// Whether the prefix matches whatever the case of the path's letters (invariant culture), for a downstream that
    /// ignores case: otherwise <c>/orders/Admin</c> would pass another route's prefix to reach this route's path.
    /// </summary>
    public const string IgnoreCase = "ignoreCase";

    /// <summary>The default of <see cref="IgnoreCase"/>: paths are matched case-sensitively, as RFC 3986 compares them.</summary>
    public const bool IgnoreCaseDefault = false;

    /// <summary>The breaker settings a route may set for itself; the rest (the metrics namespace) is stack-wide.</summary>
    public static IReadOnlyList<CircuitSetting> PerRouteSettings { get; } =
    [
        CircuitSettingKeys.DownstreamUrl, CircuitSettingKeys.ServiceId, CircuitSettingKeys.DownstreamTimeoutSeconds,
        CircuitSettingKeys.FailureThreshold, CircuitSettingKeys.FailureRatio, CircuitSettingKeys.MinimumThroughput,
        CircuitSettingKeys.WindowSeconds, CircuitSettingKeys.OpenSeconds, CircuitSettingKeys.MaxOpenSeconds,
        CircuitSettingKeys.SlowCallSeconds, CircuitSettingKeys.FailOpen, CircuitSettingKeys.ForwardedHeaders,
        CircuitSettingKeys.RequestHeadersToDrop, CircuitSettingKeys.ResponseHeadersToDrop, CircuitSettingKeys.RequestHeadersAllowed,
        CircuitSettingKeys.AllowEncodedSlash, CircuitSettingKeys.FailureStatusCodes, CircuitSettingKeys.MaxRetryAfterSeconds,
        CircuitSettingKeys.WhenOpen, CircuitSettingKeys.ClosedStateMaxAgeSeconds,
        CircuitSettingKeys.StaleSeconds, CircuitSettingKeys.StaleRefreshSeconds,
        CircuitSettingKeys.StaticStatus, CircuitSettingKeys.StaticContentType, CircuitSettingKeys.StaticBody,
        CircuitSettingKeys.DeferMethods, CircuitSettingKeys.DeferMaxBodyBytes, CircuitSettingKeys.DeferSeconds,
        CircuitSettingKeys.DeferMaxAttempts, CircuitSettingKeys.DeferReplayPerSecond,
    ];

    /// <summary>Every key a route may hold, in the order they are written.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Prefix, .. PerRouteSettings.Select(setting => setting.ConfigKey), StripPrefix, IgnoreCase];
}
