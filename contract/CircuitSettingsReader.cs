using System.Globalization;

namespace CircuitBreaker.Contract;

/// <summary>
/// Reads and validates the breaker's settings from any source of raw strings, so the stack, the functions, the
/// library and the local host apply the same defaults and the same rules: a route's whole <see cref="CircuitSettings"/>
/// (<see cref="Read"/>), or the <see cref="CircuitPolicy"/> alone of a circuit without a target (<see cref="ReadPolicy"/>).
/// </summary>
public static class CircuitSettingsReader
{
    private const int MaxServiceIdLength = 200;

    // CloudWatch's limit on a namespace's length.
    private const int MaxMetricsNamespaceLength = 255;

    /// <summary>
    /// Reads a route's settings through <paramref name="lookup"/> (null or blank means absent, so the default
    /// applies) and validates them together.
    /// </summary>
    /// <param name="lookup">Returns the raw value of a setting, or null.</param>
    /// <param name="describe">Names a setting in error messages, e.g. by its config key or its variable.</param>
    /// <returns>The settings, or every problem found, each naming the setting and the expected form.</returns>
    public static CircuitSettingsResult Read(Func<CircuitSetting, string?> lookup, Func<CircuitSetting, string> describe)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(describe);
        var values = new Values(lookup, describe);

        Uri? downstream = null;
        var rawUrl = values.Raw(CircuitSettingKeys.DownstreamUrl);
        if (rawUrl is not null && UrlRedaction.HasUserInfo(rawUrl))
        {
            // Rejected rather than used: HttpClient would not send it as Basic auth, and a URL is printed in
            // banners and start-up logs. The message quotes the URL with the credentials masked.
            values.Errors.Add($"{describe(CircuitSettingKeys.DownstreamUrl)} is '{UrlRedaction.WithoutUserInfo(rawUrl)}': it must not contain user information "
                + "(user:password@), which would not be sent and could end up in logs; give the URL without it.");
        }
        else if (rawUrl is not null
            && Uri.TryCreate(rawUrl, UriKind.Absolute, out var parsed)
            && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
            && parsed.Host.Length > 0)
        {
            downstream = parsed;
        }
        else
        {
            values.Fail(CircuitSettingKeys.DownstreamUrl, rawUrl);
        }

        var options = OptionsOf(values);
        var policy = PolicyOf(values);
        if (policy.SlowCallThreshold is { } slow && options.DownstreamTimeout > TimeSpan.Zero && slow >= options.DownstreamTimeout)
        {
            values.Errors.Add($"{describe(CircuitSettingKeys.SlowCallSeconds)} is {slow.TotalSeconds.ToString(CultureInfo.InvariantCulture)}: "
                + $"a call is only slow before it times out, so it must be below {describe(CircuitSettingKeys.DownstreamTimeoutSeconds)} "
                + $"({options.DownstreamTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}).");
        }

        var serviceId = values.Raw(CircuitSettingKeys.ServiceId) ?? downstream?.Host ?? string.Empty;
        if (downstream is not null && !IsValidServiceId(serviceId))
        {
            values.Fail(CircuitSettingKeys.ServiceId, serviceId);
        }

        return values.Errors.Count > 0 || downstream is null
            ? new CircuitSettingsResult(null, values.Errors)
            : new CircuitSettingsResult(new CircuitSettings(serviceId, new RouteTarget(downstream, options), policy), values.Errors);
    }

    /// <summary>
    /// Reads the breaker's policy alone (no downstream, no service id) through <paramref name="lookup"/>, as for
    /// <see cref="Read"/>: what a circuit without a target (a library user's, a backend-only stack's) is given.
    /// </summary>
    /// <param name="lookup">Returns the raw value of a setting, or null; only the policy's settings are asked for.</param>
    /// <param name="describe">Names a setting in error messages.</param>
    /// <returns>The policy, or every problem found.</returns>
    public static CircuitPolicyResult ReadPolicy(Func<CircuitSetting, string?> lookup, Func<CircuitSetting, string> describe)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(describe);
        var values = new Values(lookup, describe);
        var policy = PolicyOf(values);
        return values.Errors.Count > 0 ? new CircuitPolicyResult(null, values.Errors) : new CircuitPolicyResult(policy, []);
    }

    /// <summary>
    /// Reads the route options alone (timeout and relay settings, no downstream) through <paramref name="lookup"/>: what a
    /// stack's top level gives every route that does not set its own.
    /// </summary>
    /// <param name="lookup">Returns the raw value of a setting, or null; only the options' settings are asked for.</param>
    /// <param name="describe">Names a setting in error messages.</param>
    /// <param name="errors">Receives every problem found.</param>
    /// <returns>The options; meaningless when a problem was added.</returns>
    public static RouteOptions ReadOptions(Func<CircuitSetting, string?> lookup, Func<CircuitSetting, string> describe, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var values = new Values(lookup, describe);
        var options = OptionsOf(values);
        foreach (var error in values.Errors)
        {
            errors.Add(error);
        }

        return options;
    }

    /// <summary>True for a usable circuit key: 1 to 200 characters of ASCII letters, digits and <c>. _ - :</c>.</summary>
    public static bool IsValidServiceId(string value) =>
        value is { Length: > 0 and <= MaxServiceIdLength }
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':');

    /// <summary>True for a namespace CloudWatch accepts from a user: printable, 1 to 255 characters, not in the reserved <c>AWS/</c> space.</summary>
    public static bool IsValidMetricsNamespace(string value) =>
        value is { Length: > 0 and <= MaxMetricsNamespaceLength }
        && !value.StartsWith("AWS/", StringComparison.OrdinalIgnoreCase)
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or '#' or ':' or ' ');

    private static RouteOptions OptionsOf(Values values)
    {
        var timeout = values.Seconds(CircuitSettingKeys.DownstreamTimeoutSeconds);
        if (timeout > TimeSpan.Zero && timeout + CircuitSettings.ResponseReserve > CircuitSettings.HttpApiIntegrationTimeout)
        {
            var most = (CircuitSettings.HttpApiIntegrationTimeout - CircuitSettings.ResponseReserve).TotalSeconds;
            values.Errors.Add($"{values.Describe(CircuitSettingKeys.DownstreamTimeoutSeconds)} is {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}: "
                + $"the webservice must answer within API Gateway's {CircuitSettings.HttpApiIntegrationTimeout.TotalSeconds:0} s integration timeout, "
                + $"keeping {CircuitSettings.ResponseReserve.TotalSeconds:0} s to answer, so at most {most.ToString(CultureInfo.InvariantCulture)} s.");
        }

        var staleFor = values.Seconds(CircuitSettingKeys.StaleSeconds);
        var staleRefresh = values.Seconds(CircuitSettingKeys.StaleRefreshSeconds);
        if (staleFor > TimeSpan.Zero && staleRefresh > staleFor)
        {
            values.Errors.Add($"{values.Describe(CircuitSettingKeys.StaleRefreshSeconds)} is {staleRefresh.TotalSeconds.ToString(CultureInfo.InvariantCulture)}: "
                + $"a stored answer lives {values.Describe(CircuitSettingKeys.StaleSeconds)} ({staleFor.TotalSeconds.ToString(CultureInfo.InvariantCulture)}), "
                + "so it must be refreshed at least that often.");
        }

        return new RouteOptions
        {
            DownstreamTimeout = timeout,
            StaleFor = staleFor,
            StaleRefresh = staleRefresh,
            StaticStatus = values.Status(CircuitSettingKeys.StaticStatus),
            StaticContentType = values.MediaType(CircuitSettingKeys.StaticContentType),
            StaticBody = values.Text(CircuitSettingKeys.StaticBody, CircuitSettingKeys.MaxStaticBodyBytes),
            ForwardedHeaders = values.Flag(CircuitSettingKeys.ForwardedHeaders),
            AllowEncodedSlash = values.Flag(CircuitSettingKeys.AllowEncodedSlash),
            RequestHeadersToDrop = values.Headers(CircuitSettingKeys.RequestHeadersToDrop) ?? HeaderNameList.Empty,
            ResponseHeadersToDrop = values.Headers(CircuitSettingKeys.ResponseHeadersToDrop) ?? HeaderNameList.Empty,
            RequestHeadersAllowed = values.Headers(CircuitSettingKeys.RequestHeadersAllowed),
            WhenOpen = values.WhenOpen(CircuitSettingKeys.WhenOpen),
            Defer = DeferOf(values),
        };
    }

    private static DeferOptions DeferOf(Values values)
    {
        var rawMethods = values.Raw(CircuitSettingKeys.DeferMethods) ?? string.Empty;
        var methods = rawMethods.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (methods.Length == 0 || !methods.All(method => method.All(char.IsAsciiLetterUpper)))
        {
            values.Fail(CircuitSettingKeys.DeferMethods, rawMethods);
        }

        var rawBody = values.Raw(CircuitSettingKeys.DeferMaxBodyBytes);
        if (!SettingValues.TryWholeNumber(rawBody, 1, DeferLimits.MaxBodyBytes, out var maxBody))
        {
            values.Fail(CircuitSettingKeys.DeferMaxBodyBytes, rawBody);
        }

        var rawRate = values.Raw(CircuitSettingKeys.DeferReplayPerSecond);
        if (!SettingValues.TryFiniteNumber(rawRate, out var rate) || rate <= 0)
        {
            values.Fail(CircuitSettingKeys.DeferReplayPerSecond, rawRate);
        }

        return new DeferOptions(
            methods.Distinct(StringComparer.Ordinal).ToList(),
            maxBody,
            values.Seconds(CircuitSettingKeys.DeferSeconds),
            values.WholeNumber(CircuitSettingKeys.DeferMaxAttempts),
            rate);
    }

    private static CircuitPolicy PolicyOf(Values values)
    {
        var window = values.Seconds(CircuitSettingKeys.WindowSeconds);
        var open = values.Seconds(CircuitSettingKeys.OpenSeconds);
        var threshold = values.WholeNumber(CircuitSettingKeys.FailureThreshold);
        var minimumThroughput = values.WholeNumber(CircuitSettingKeys.MinimumThroughput);

        double? ratio = null;
        var rawRatio = values.Raw(CircuitSettingKeys.FailureRatio);
        if (rawRatio is not null)
        {
            if (SettingValues.TryFiniteNumber(rawRatio, out var parsedRatio) && parsedRatio > 0 && parsedRatio <= 1)
            {
                ratio = parsedRatio;
            }
            else
            {
                values.Fail(CircuitSettingKeys.FailureRatio, rawRatio);
            }
        }

        var slowCall = values.OptionalSeconds(CircuitSettingKeys.SlowCallSeconds);
        var maxOpen = values.OptionalSeconds(CircuitSettingKeys.MaxOpenSeconds) ?? open;
        if (open > TimeSpan.Zero && maxOpen > TimeSpan.Zero && maxOpen < open)
        {
            values.Errors.Add($"{values.Describe(CircuitSettingKeys.MaxOpenSeconds)} is {maxOpen.TotalSeconds.ToString(CultureInfo.InvariantCulture)}: "
                + $"the cap of the open period cannot be below {values.Describe(CircuitSettingKeys.OpenSeconds)} ({open.TotalSeconds.ToString(CultureInfo.InvariantCulture)}).");
        }

        var metricsNamespace = values.Raw(CircuitSettingKeys.MetricsNamespace) ?? string.Empty;
        if (!IsValidMetricsNamespace(metricsNamespace))
        {
            values.Fail(CircuitSettingKeys.MetricsNamespace, metricsNamespace);
        }

        var failureStatusCodes = StatusCodeRanges.Default;
        var rawStatusCodes = values.Raw(CircuitSettingKeys.FailureStatusCodes);
        if (rawStatusCodes is not null && !StatusCodeRanges.TryParse(rawStatusCodes, out failureStatusCodes, out var badStatus))
        {
            values.Errors.Add(badStatus is { Length: > 0 } && badStatus != rawStatusCodes
                ? $"{values.Describe(CircuitSettingKeys.FailureStatusCodes)} is '{rawStatusCodes}': '{badStatus}' is not a status code or a range of them; expected {CircuitSettingKeys.FailureStatusCodes.ExpectedForm}."
                : SettingValues.Invalid(values.Describe(CircuitSettingKeys.FailureStatusCodes), rawStatusCodes, CircuitSettingKeys.FailureStatusCodes.ExpectedForm));
        }

        return new CircuitPolicy
        {
            FailureThreshold = threshold,
            Window = window,
            OpenDuration = open,
            FailOpen = values.Flag(CircuitSettingKeys.FailOpen),
            FailureRatio = ratio,
            MinimumThroughput = minimumThroughput,
            SlowCallThreshold = slowCall,
            MaxOpenDuration = maxOpen,
            FailureStatusCodes = failureStatusCodes,
            MaxRetryAfter = values.Seconds(CircuitSettingKeys.MaxRetryAfterSeconds),
            ClosedStateMaxAge = values.SecondsFromZero(CircuitSettingKeys.ClosedStateMaxAgeSeconds, CircuitPolicy.LongestClosedStateMaxAge),
            MetricsNamespace = metricsNamespace,
        };
    }

    // The raw values of one read and the problems found in them.
    private sealed class Values(Func<CircuitSetting, string?> lookup, Func<CircuitSetting, string> describe)
    {
        public List<string> Errors { get; } = [];

        public string Describe(CircuitSetting setting) => describe(setting);

        public string? Raw(CircuitSetting setting) => SettingValues.OrDefault(lookup(setting), setting.DefaultValue);

        // A URL's user information is hidden from every message: a mistyped URL must not put a password in a log.
        public void Fail(CircuitSetting setting, string? value) =>
            Errors.Add(SettingValues.Invalid(describe(setting), value is null ? null : UrlRedaction.WithoutUserInfo(value), setting.ExpectedForm));

        public TimeSpan Seconds(CircuitSetting setting) => OptionalSeconds(setting) ?? TimeSpan.Zero;

        // Null when the setting is absent and has no default, or invalid (then an error is recorded).
        public TimeSpan? OptionalSeconds(CircuitSetting setting)
        {
            var raw = Raw(setting);
            if (raw is null && setting.DefaultValue is null)
            {
                return null;
            }

            if (SettingValues.TryFiniteNumber(raw, out var seconds) && seconds > 0 && seconds <= TimeSpan.FromDays(365).TotalSeconds)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            Fail(setting, raw);
            return null;
        }

        // A setting where 0 means "off": from 0 up to longest, fractions allowed.
        public TimeSpan SecondsFromZero(CircuitSetting setting, TimeSpan longest)
        {
            var raw = Raw(setting);
            if (SettingValues.TryFiniteNumber(raw, out var seconds) && seconds >= 0 && seconds <= longest.TotalSeconds)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            Fail(setting, raw);
            return TimeSpan.Zero;
        }

        public int WholeNumber(CircuitSetting setting)
        {
            var raw = Raw(setting);
            if (SettingValues.TryWholeNumber(raw, 1, int.MaxValue, out var number))
            {
                return number;
            }

            Fail(setting, raw);
            return 0;
        }

        public WhenOpenMode WhenOpen(CircuitSetting setting)
        {
            var raw = Raw(setting);
            if (!WhenOpenModes.TryParse(raw, out var mode))
            {
                Fail(setting, raw);
            }

            return mode;
        }

        public int Status(CircuitSetting setting)
        {
            var raw = Raw(setting);
            if (SettingValues.TryWholeNumber(raw, 200, 599, out var status))
            {
                return status;
            }

            Fail(setting, raw);
            return 0;
        }

        // A media type as a Content-Type value carries it: type/subtype, parameters allowed, printable ASCII only (no
        // CR or LF that could split the header).
        public string MediaType(CircuitSetting setting)
        {
            var raw = Raw(setting) ?? string.Empty;
            var slash = raw.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && slash < raw.Length - 1 && raw.All(c => c is >= ' ' and <= '~'))
            {
                return raw.Trim();
            }

            Fail(setting, raw);
            return string.Empty;
        }

        public string Text(CircuitSetting setting, int maxBytes)
        {
            var raw = lookup(setting) is { Length: > 0 } given ? given : setting.DefaultValue ?? string.Empty;
            if (System.Text.Encoding.UTF8.GetByteCount(raw) <= maxBytes)
            {
                return raw;
            }

            Errors.Add($"{describe(setting)} is {System.Text.Encoding.UTF8.GetByteCount(raw)} bytes long: expected {setting.ExpectedForm}.");
            return string.Empty;
        }

        public bool Flag(CircuitSetting setting)
        {
            var raw = Raw(setting);
            if (bool.TryParse(raw, out var value))
            {
                return value;
            }

            Fail(setting, raw);
            return false;
        }

        // Null when the setting is absent; an invalid list is reported and read as empty.
        public HeaderNameList? Headers(CircuitSetting setting)
        {
            var raw = Raw(setting);
            if (raw is null)
            {
                return null;
            }

            if (!HeaderNameList.TryParse(raw, out var list, out var bad))
            {
                Errors.Add($"{describe(setting)} is '{raw}': '{bad}' is not a header name; expected {setting.ExpectedForm}.");
            }
            else if (list.IsEmpty)
            {
                Errors.Add($"{describe(setting)} is '{raw}': it names no header; expected {setting.ExpectedForm}.");
            }

            return list;
        }
    }
}

/// <summary>The outcome of <see cref="CircuitSettingsReader.Read"/>.</summary>
/// <param name="Settings">The settings when valid; otherwise null.</param>
/// <param name="Errors">Every problem found; empty when <paramref name="Settings"/> is set.</param>
public sealed record CircuitSettingsResult(CircuitSettings? Settings, IReadOnlyList<string> Errors)
{
    /// <summary>True when the settings were read without error.</summary>
    public bool IsValid => Settings is not null;
}

/// <summary>The outcome of <see cref="CircuitSettingsReader.ReadPolicy"/>.</summary>
/// <param name="Policy">The policy when valid; otherwise null.</param>
/// <param name="Errors">Every problem found; empty when <paramref name="Policy"/> is set.</param>
public sealed record CircuitPolicyResult(CircuitPolicy? Policy, IReadOnlyList<string> Errors)
{
    /// <summary>True when the policy was read without error.</summary>
    public bool IsValid => Policy is not null;
}
