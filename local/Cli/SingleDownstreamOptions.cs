using CircuitBreaker.Contract;
using CircuitBreaker.Local.Downstream;
using static CircuitBreaker.Local.Cli.LocalOptionTable;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The options of a host with one downstream (no routes): the downstream from <c>--downstream</c>, the file's
/// <c>downstreamUrl</c> or the demo's hanging simulator, and the breaker's settings read through the contract's
/// <see cref="CircuitSettingsReader"/>, each from its option, else the <c>--config</c> file, else its default.
/// </summary>
internal static class SingleDownstreamOptions
{
    /// <summary>Builds the options; <paramref name="errors"/> holds what the caller found wrong already (they are kept).</summary>
    /// <param name="given">The options given on the command line, by name.</param>
    /// <param name="fileValues">The <c>--config</c> file's top-level values (empty without a file).</param>
    /// <param name="configFile">The <c>--config</c> path, null without one.</param>
    /// <param name="port">The HTTP API's port.</param>
    /// <param name="errors">The errors found so far.</param>
    public static LocalOptionsParseResult Build(
        Dictionary<string, string> given, IReadOnlyDictionary<string, string> fileValues, string? configFile, int port, List<string> errors)
    {
        // The downstream: an explicit option wins, then the file's downstreamUrl, then the demo's hanging simulator.
        DownstreamTarget? downstream = null;
        string? downstreamSource = null;
        if (given.TryGetValue("--downstream", out var rawDownstream))
        {
            downstreamSource = "--downstream";
            if (rawDownstream.StartsWith(SimulatePrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (SimulatorModeNames.TryParse(rawDownstream[SimulatePrefix.Length..], out var mode))
                {
                    downstream = DownstreamTarget.Simulate(mode);
                }
                else
                {
                    errors.Add($"--downstream is '{UrlRedaction.WithoutUserInfo(rawDownstream)}': expected {DownstreamForm}.");
                }
            }
        }
        else if (!fileValues.ContainsKey(CircuitSettingKeys.DownstreamUrl.ConfigKey))
        {
            downstream = DownstreamTarget.Simulate(SimulatorMode.Hang);
        }

        string? Lookup(CircuitSetting setting)
        {
            if (setting == CircuitSettingKeys.DownstreamUrl)
            {
                if (downstream is { IsSimulated: true })
                {
                    return LocalOptions.SimulatorPlaceholder.AbsoluteUri;
                }

                if (rawDownstream is not null)
                {
                    return rawDownstream.StartsWith(SimulatePrefix, StringComparison.OrdinalIgnoreCase) ? LocalOptions.SimulatorPlaceholder.AbsoluteUri : rawDownstream;
                }
            }

            var option = OptionFor(setting);
            if (option is not null && given.TryGetValue(option, out var fromCommandLine))
            {
                return fromCommandLine;
            }

            return fileValues.TryGetValue(setting.ConfigKey, out var fromFile) ? fromFile : null;
        }

        string Describe(CircuitSetting setting)
        {
            if (setting == CircuitSettingKeys.DownstreamUrl && downstreamSource is not null)
            {
                return downstreamSource;
            }

            var option = OptionFor(setting);
            if (option is not null && given.ContainsKey(option))
            {
                return option;
            }

            return configFile is not null && fileValues.ContainsKey(setting.ConfigKey)
                ? $"'{setting.ConfigKey}' in --config {configFile}"
                : option ?? setting.ConfigKey;
        }

        var settings = CircuitSettingsReader.Read(Lookup, Describe);
        errors.AddRange(settings.Errors.Where(error => !errors.Contains(error)));
        if (errors.Count > 0 || settings.Settings is null)
        {
            return new LocalOptionsParseResult(null, false, errors);
        }

        downstream ??= DownstreamTarget.At(settings.Settings.DownstreamUrl);
        var serviceIdGiven = given.ContainsKey("--service-id")
            || (fileValues.TryGetValue(CircuitSettingKeys.ServiceId.ConfigKey, out var serviceId) && !string.IsNullOrWhiteSpace(serviceId));
        return new LocalOptionsParseResult(new LocalOptions(port, downstream, settings.Settings, serviceIdGiven, configFile), false, []);
    }
}
