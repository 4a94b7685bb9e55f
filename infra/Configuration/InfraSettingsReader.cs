using CircuitBreaker.Contract;

namespace CircuitBreaker.Infra.Configuration;

/// <summary>
/// Reads and validates the whole stack configuration — the breaker's settings through the shared
/// <see cref="CircuitSettingsReader"/> and the stack-only ones — and reports every problem at once.
/// </summary>
public static class InfraSettingsReader
{
    /// <summary>The retention periods CloudWatch Logs accepts.</summary>
    public static IReadOnlyList<int> AllowedLogRetentionDays { get; } =
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    /// <summary>
    /// Reads every setting through <paramref name="lookup"/> (config key → raw value or null).
    /// </summary>
    /// <param name="lookup">Returns the raw value of a key under the project's namespace, or null.</param>
    /// <param name="project">The Pulumi project name, for messages such as <c>config 'circuit-breaker:failureThreshold'</c>.</param>
    /// <exception cref="StackConfigurationException">Any setting is invalid; the message lists them all.</exception>
    public static InfraSettings Read(Func<string, string?> lookup, string project)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentException.ThrowIfNullOrWhiteSpace(project);

        string Describe(string key) => $"config '{project}:{key}'";

        var errors = new List<string>();

        string? Raw(InfraSetting setting) => SettingValues.OrDefault(lookup(setting.ConfigKey), setting.DefaultValue);

        void Fail(InfraSetting setting, string? value) =>
            errors.Add(SettingValues.Invalid(Describe(setting.ConfigKey), value, setting.ExpectedForm));

        var rawMode = Raw(InfraSettingKeys.Mode);
        if (!DeploymentModeNames.TryParse(rawMode, out var mode))
        {
            Fail(InfraSettingKeys.Mode, rawMode);
        }

        var backendOnly = mode == DeploymentMode.Backend;
        if (backendOnly && string.IsNullOrWhiteSpace(lookup(CircuitSettingKeys.ServiceId.ConfigKey)))
        {
            // Without a downstream there is no host to default to, and the alarm and dashboard need the key.
            errors.Add($"{Describe(CircuitSettingKeys.ServiceId.ConfigKey)} is required when {Describe(InfraSettingKeys.Mode.ConfigKey)} is "
                + $"'{DeploymentModeNames.Backend}': expected the circuit key your functions use ({CircuitSettingKeys.ServiceId.ExpectedForm}).");
        }

        // Pulumi hands a structured value (pulumi config set --path 'routes[0].prefix' /orders) to the program as its JSON text.
        IReadOnlyList<IReadOnlyDictionary<string, string>>? rawRoutes = null;
        var routesReadable = true;
        var routesJson = lookup(RouteKeys.Routes.ConfigKey);
        if (!string.IsNullOrWhiteSpace(routesJson))
        {
            var (parsed, routeErrors) = RouteListJson.Parse(routesJson, Describe(RouteKeys.Routes.ConfigKey));
            errors.AddRange(routeErrors);
            rawRoutes = parsed;
            routesReadable = parsed is not null;
            if (backendOnly)
            {
                errors.Add($"{Describe(RouteKeys.Routes.ConfigKey)} is set while {Describe(InfraSettingKeys.Mode.ConfigKey)} is '{DeploymentModeNames.Backend}': "
                    + "routes belong to the webservice, which backend mode does not deploy; remove the routes or deploy the full breaker.");
            }
        }

        var table = routesReadable && !(backendOnly && rawRoutes is not null)
            ? RouteTableReader.Read(
                setting => lookup(setting.ConfigKey),
                setting => Describe(setting.ConfigKey),
                rawRoutes,
                (index, key) => Describe($"{RouteKeys.Routes.ConfigKey}[{index}].{key}"),
                routesRequired: !backendOnly)
            : null;
        errors.AddRange(table?.Errors ?? []);
        if (table?.Table is { } routes && FunctionEnvironmentEstimate.Problem(routes) is { } tooLarge)
        {
            errors.Add(tooLarge);
        }

        int WholeNumber(InfraSetting setting, int least, int most)
        {
            var raw = Raw(setting);
            if (SettingValues.TryWholeNumber(raw, least, most, out var value))
            {
                return value;
            }

            Fail(setting, raw);
            return least;
        }

        var rawArchitecture = Raw(InfraSettingKeys.Architecture);
        if (!LambdaArchitectureNames.TryParse(rawArchitecture, out var architecture))
        {
            Fail(InfraSettingKeys.Architecture, rawArchitecture);
        }

        var rawNativeAot = Raw(InfraSettingKeys.NativeAot);
        if (!bool.TryParse(rawNativeAot, out var nativeAot))
        {
            Fail(InfraSettingKeys.NativeAot, rawNativeAot);
        }

        var memorySize = WholeNumber(InfraSettingKeys.MemorySize, 128, 10240);
        var recorderTimeout = WholeNumber(InfraSettingKeys.RecorderTimeoutSeconds, 1, 900);

        var rawRetention = Raw(InfraSettingKeys.LogRetentionDays);
        if (!SettingValues.TryWholeNumber(rawRetention, 1, int.MaxValue, out var retention) || !AllowedLogRetentionDays.Contains(retention))
        {
            Fail(InfraSettingKeys.LogRetentionDays, rawRetention);
        }

        var burstLimit = WholeNumber(InfraSettingKeys.ThrottlingBurstLimit, 1, 5000);

        var rawRate = Raw(InfraSettingKeys.ThrottlingRateLimit);
        if (!SettingValues.TryFiniteNumber(rawRate, out var rateLimit) || rateLimit <= 0 || rateLimit > 10000)
        {
            Fail(InfraSettingKeys.ThrottlingRateLimit, rawRate);
        }

        var retryAttempts = WholeNumber(InfraSettingKeys.EventRetryAttempts, 0, 185);
        var maxEventAge = WholeNumber(InfraSettingKeys.EventMaxAgeSeconds, 60, 86400);

        var artifactPath = Raw(InfraSettingKeys.ArtifactPath);
        if (artifactPath is not null && !File.Exists(Path.Combine(artifactPath, "bootstrap")))
        {
            Fail(InfraSettingKeys.ArtifactPath, artifactPath);
        }

        var alarmEmail = Raw(InfraSettingKeys.AlarmEmail);
        if (alarmEmail is not null && !IsPlausibleEmailAddress(alarmEmail))
        {
            Fail(InfraSettingKeys.AlarmEmail, alarmEmail);
        }

        if (errors.Count > 0 || table?.Table is null)
        {
            throw new StackConfigurationException(errors);
        }

        return new InfraSettings
        {
            Routes = table.Table,
            Architecture = architecture,
            NativeAot = nativeAot,
            MemorySizeMb = memorySize,
            RecorderTimeoutSeconds = recorderTimeout,
            LogRetentionDays = retention,
            ThrottlingBurstLimit = burstLimit,
            ThrottlingRateLimit = rateLimit,
            EventRetryAttempts = retryAttempts,
            EventMaxAgeSeconds = maxEventAge,
            ArtifactPath = artifactPath is null ? null : Path.GetFullPath(artifactPath),
            Mode = mode,
            AlarmEmail = alarmEmail,
        };
    }

    /// <summary>
    /// True for one plain address SNS can mail: <c>local@domain.tld</c>, no display name, no spaces, no
    /// list. SNS sends a confirmation mail, which is the real check; this catches typos before deploying.
    /// </summary>
    public static bool IsPlausibleEmailAddress(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (value.Length > 254 || at < 1 || at != value.LastIndexOf('@') || at > 64)
        {
            return false;
        }

        var domain = value[(at + 1)..];
        return value.All(c => c > ' ' && c < 127 && c is not ('<' or '>' or '(' or ')' or ',' or ';' or ':' or '\\' or '"' or '[' or ']'))
            && domain.Contains('.', StringComparison.Ordinal)
            && !domain.StartsWith('.')
            && !domain.EndsWith('.')
            && !domain.Contains("..", StringComparison.Ordinal);
    }
}
