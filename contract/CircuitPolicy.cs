using System.Globalization;

namespace CircuitBreaker.Contract;

/// <summary>
/// The breaker's policy for a circuit: when it opens (a count of failures, or their ratio to calls, within the window),
/// how long it stays open (the open period, its backoff, a downstream's <c>Retry-After</c>), which calls count as
/// failed (status codes, slow calls) and what happens when the breaker's own store is unreachable. A circuit has one
/// whether or not it has a target: a route's, a library user's, a backend-only stack's recorder. Read it with
/// <see cref="CircuitSettingsReader.ReadPolicy"/>; <see cref="Default"/> holds every setting's default.
/// </summary>
public sealed record CircuitPolicy
{
    private readonly TimeSpan? _maxOpenDuration;

    // Declared before Default, which reads them while it is built.
    /// <summary>The default of <see cref="ClosedStateMaxAge"/>: 1 s (docs/design.md, "A closed state is trusted for a short while", says why, with docs/performance.md's numbers).</summary>
    public static TimeSpan DefaultClosedStateMaxAge { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest <see cref="ClosedStateMaxAge"/> allowed: an operator's isolate must reach every instance soon.</summary>
    public static TimeSpan LongestClosedStateMaxAge { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Every setting at its default (<see cref="CircuitSettingKeys"/>): count mode, 3 failures within 60 s, open 60 s.</summary>
    public static CircuitPolicy Default { get; } = CircuitSettingsReader.ReadPolicy(_ => null, setting => setting.ConfigKey).Policy!;

    /// <summary>Failures within <see cref="Window"/> that open the circuit (count mode).</summary>
    public required int FailureThreshold { get; init; }

    /// <summary>How far back failures count.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>How long the circuit stays open before one probe may run.</summary>
    public required TimeSpan OpenDuration { get; init; }

    /// <summary>Whether calls go to the downstream when the breaker's store is unreachable.</summary>
    public required bool FailOpen { get; init; }

    /// <summary>Failure-ratio mode's ratio (0 &lt; r ≤ 1); null in count mode, where <see cref="FailureThreshold"/> decides.</summary>
    public double? FailureRatio { get; init; }

    /// <summary>In failure-ratio mode, the calls within <see cref="Window"/> before the ratio may open the circuit.</summary>
    public required int MinimumThroughput { get; init; }

    /// <summary>After this long a pending call is reported failed (reason slow); null when off.</summary>
    public TimeSpan? SlowCallThreshold { get; init; }

    /// <summary>The cap of the open period's backoff; equal to <see cref="OpenDuration"/> when backoff is off (the default).</summary>
    public TimeSpan MaxOpenDuration
    {
        get => _maxOpenDuration ?? OpenDuration;
        init => _maxOpenDuration = value;
    }

    /// <summary>The answers that count as failures, by status code.</summary>
    public required StatusCodeRanges FailureStatusCodes { get; init; }

    /// <summary>The longest a downstream's <c>Retry-After</c> keeps the circuit open.</summary>
    public required TimeSpan MaxRetryAfter { get; init; }

    /// <summary>
    /// How long an instance trusts a closed state it read without reading it again (<see cref="CircuitSettingKeys.ClosedStateMaxAgeSeconds"/>);
    /// zero reads it for every call.
    /// </summary>
    public TimeSpan ClosedStateMaxAge { get; init; } = DefaultClosedStateMaxAge;

    /// <summary>The CloudWatch namespace of the functions' metrics.</summary>
    public required string MetricsNamespace { get; init; }

    /// <summary>
    /// How long a circuit opened (or reopened by a failed probe) for <paramref name="openPeriod"/> stays open when the
    /// failure carried the downstream's <paramref name="retryAfter"/>: the longer of the two, the latter cut at
    /// <see cref="MaxRetryAfter"/>.
    /// </summary>
    public TimeSpan OpenPeriodHonouring(TimeSpan openPeriod, TimeSpan? retryAfter)
    {
        if (retryAfter is not { } asked || asked <= openPeriod)
        {
            return openPeriod;
        }

        var capped = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        return capped > openPeriod ? capped : openPeriod;
    }

    /// <summary>The policy as the functions' environment variables, in invariant form.</summary>
    public IReadOnlyDictionary<string, string> ToEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            [CircuitSettingKeys.FailureThreshold.EnvironmentVariable] = FailureThreshold.ToString(CultureInfo.InvariantCulture),
            [CircuitSettingKeys.WindowSeconds.EnvironmentVariable] = SettingValues.Seconds(Window),
            [CircuitSettingKeys.OpenSeconds.EnvironmentVariable] = SettingValues.Seconds(OpenDuration),
            [CircuitSettingKeys.FailOpen.EnvironmentVariable] = FailOpen ? "true" : "false",
            [CircuitSettingKeys.MinimumThroughput.EnvironmentVariable] = MinimumThroughput.ToString(CultureInfo.InvariantCulture),
            [CircuitSettingKeys.MaxOpenSeconds.EnvironmentVariable] = SettingValues.Seconds(MaxOpenDuration),
            [CircuitSettingKeys.MetricsNamespace.EnvironmentVariable] = MetricsNamespace,
        };

        // Optional settings are absent from the environment when unset, so that "unset" survives the round trip; the newer
        // ones are written only when they differ from their defaults, since the environment has 4 KB for everything.
        if (FailureRatio is { } ratio)
        {
            environment[CircuitSettingKeys.FailureRatio.EnvironmentVariable] = ratio.ToString("R", CultureInfo.InvariantCulture);
        }

        if (SlowCallThreshold is { } slow)
        {
            environment[CircuitSettingKeys.SlowCallSeconds.EnvironmentVariable] = SettingValues.Seconds(slow);
        }

        if (!FailureStatusCodes.Equals(StatusCodeRanges.Default))
        {
            environment[CircuitSettingKeys.FailureStatusCodes.EnvironmentVariable] = FailureStatusCodes.ToString();
        }

        if (SettingValues.Seconds(MaxRetryAfter) != CircuitSettingKeys.MaxRetryAfterSeconds.DefaultValue)
        {
            environment[CircuitSettingKeys.MaxRetryAfterSeconds.EnvironmentVariable] = SettingValues.Seconds(MaxRetryAfter);
        }

        if (ClosedStateMaxAge != DefaultClosedStateMaxAge)
        {
            environment[CircuitSettingKeys.ClosedStateMaxAgeSeconds.EnvironmentVariable] = SettingValues.Seconds(ClosedStateMaxAge);
        }

        return environment;
    }
}
