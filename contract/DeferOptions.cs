using System.Globalization;

namespace CircuitBreaker.Contract;

/// <summary>
/// A route's <c>defer</c> settings (<see cref="WhenOpenMode.Defer"/>): which requests are stored while the circuit is
/// open, how long they are kept, and how the replayer sends them once it closes.
/// </summary>
/// <param name="Methods">The methods deferred, upper case.</param>
/// <param name="MaxBodyBytes">The largest body stored.</param>
/// <param name="Retention">How long a deferred request is kept (its item's time to live).</param>
/// <param name="MaxAttempts">Failed replays before the request goes to the dead-letter queue.</param>
/// <param name="ReplayPerSecond">The most requests replayed per second.</param>
public sealed record DeferOptions(IReadOnlyList<string> Methods, int MaxBodyBytes, TimeSpan Retention, int MaxAttempts, double ReplayPerSecond)
{
    /// <summary>Every setting at its default.</summary>
    public static DeferOptions Default { get; } = new(
        ["POST", "PUT", "PATCH", "DELETE"],
        int.Parse(CircuitSettingKeys.DeferMaxBodyBytes.DefaultValue!, CultureInfo.InvariantCulture),
        TimeSpan.FromSeconds(double.Parse(CircuitSettingKeys.DeferSeconds.DefaultValue!, CultureInfo.InvariantCulture)),
        int.Parse(CircuitSettingKeys.DeferMaxAttempts.DefaultValue!, CultureInfo.InvariantCulture),
        double.Parse(CircuitSettingKeys.DeferReplayPerSecond.DefaultValue!, CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public bool Equals(DeferOptions? other) =>
        other is not null && Methods.SequenceEqual(other.Methods) && MaxBodyBytes == other.MaxBodyBytes && Retention == other.Retention
        && MaxAttempts == other.MaxAttempts && ReplayPerSecond.Equals(other.ReplayPerSecond);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(string.Join(",", Methods), MaxBodyBytes, Retention, MaxAttempts, ReplayPerSecond);

    /// <summary>True when requests with <paramref name="method"/> are deferred (methods are case-sensitive, as RFC 9110 says).</summary>
    public bool Defers(string method) => Methods.Contains(method, StringComparer.Ordinal);

    /// <summary>The settings that differ from their defaults, as the functions' environment variables.</summary>
    public void WriteTo(IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var methods = string.Join(",", Methods);
        if (methods != string.Join(",", Default.Methods))
        {
            environment[CircuitSettingKeys.DeferMethods.EnvironmentVariable] = methods;
        }

        if (MaxBodyBytes != Default.MaxBodyBytes)
        {
            environment[CircuitSettingKeys.DeferMaxBodyBytes.EnvironmentVariable] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture);
        }

        if (Retention != Default.Retention)
        {
            environment[CircuitSettingKeys.DeferSeconds.EnvironmentVariable] = SettingValues.Seconds(Retention);
        }

        if (MaxAttempts != Default.MaxAttempts)
        {
            environment[CircuitSettingKeys.DeferMaxAttempts.EnvironmentVariable] = MaxAttempts.ToString(CultureInfo.InvariantCulture);
        }

        if (ReplayPerSecond != Default.ReplayPerSecond)
        {
            environment[CircuitSettingKeys.DeferReplayPerSecond.EnvironmentVariable] = ReplayPerSecond.ToString("R", CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>The bounds of the <c>defer</c> settings.</summary>
public static class DeferLimits
{
    /// <summary>
    /// The largest <c>deferMaxBodyBytes</c>: 300 KiB, which leaves 100 KB of DynamoDB's 400 KB item limit (names and
    /// values of every attribute count) for the path, the headers and the keys
    /// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items).
    /// </summary>
    public const int MaxBodyBytes = 307200;

    /// <summary>The most bytes the path, query and headers of a deferred request may take together.</summary>
    public const int MaxHeaderBytes = 64 * 1024;
}
