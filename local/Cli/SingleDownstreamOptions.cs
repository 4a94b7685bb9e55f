using CircuitBreaker.Contract;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The options of a host with one downstream (no routes): <c>--downstream</c> or the file's <c>downstreamUrl</c>, a
/// URL or <c>simulate:MODE</c>, else the demo's hanging simulator; and the breaker's settings read through the
/// contract's <see cref="CircuitSettingsReader"/>, each from its option, else the <c>--config</c> file, else its default.
/// </summary>
internal static class SingleDownstreamOptions
{
    /// <summary>Builds the options; <paramref name="errors"/> holds what the caller found wrong already (they are kept).</summary>
    public static LocalOptionsParseResult Build(SettingSources sources, int port, List<string> errors)
    {
        var rawDownstream = sources.Value(CircuitSettingKeys.DownstreamUrl);
        DownstreamTarget? downstream = rawDownstream is null ? DownstreamTarget.Simulate(SimulatorMode.Hang) : null;
        if (rawDownstream is not null && rawDownstream.StartsWith(LocalCommandLine.SimulatePrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (SimulatorModeNames.TryParse(rawDownstream[LocalCommandLine.SimulatePrefix.Length..], out var mode))
            {
                downstream = DownstreamTarget.Simulate(mode);
            }
            else
            {
                errors.Add($"{sources.Describe(CircuitSettingKeys.DownstreamUrl)} is '{UrlRedaction.WithoutUserInfo(rawDownstream)}': expected {LocalCommandLine.DownstreamForm}.");
            }
        }

        var simulated = downstream is { IsSimulated: true } || rawDownstream?.StartsWith(LocalCommandLine.SimulatePrefix, StringComparison.OrdinalIgnoreCase) == true;
        var settings = CircuitSettingsReader.Read(
            setting => setting == CircuitSettingKeys.DownstreamUrl && simulated ? LocalOptions.SimulatorPlaceholder.AbsoluteUri : sources.Value(setting),
            sources.Describe);
        errors.AddRange(settings.Errors.Where(error => !errors.Contains(error)));
        if (errors.Count > 0 || settings.Settings is null)
        {
            return new LocalOptionsParseResult(null, false, errors);
        }

        downstream ??= DownstreamTarget.At(settings.Settings.Target.DownstreamUrl);
        var serviceIdGiven = !string.IsNullOrWhiteSpace(sources.Value(CircuitSettingKeys.ServiceId));
        return new LocalOptionsParseResult(new LocalOptions(port, downstream, settings.Settings, serviceIdGiven, sources.ConfigFile), false, []);
    }
}
