using System.Globalization;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// Reads the local host's command line into <see cref="LocalOptions"/>: <see cref="LocalCommandLine"/> parses it, the
/// <c>--config</c> file fills in what the options leave out, and the breaker's settings go through the contract's
/// readers, so they are validated exactly as the stack validates them.
/// </summary>
internal static class LocalOptionsParser
{
    /// <summary>Parses <paramref name="args"/>; relative <c>--config</c> paths are relative to the current directory.</summary>
    public static LocalOptionsParseResult Parse(IReadOnlyList<string> args)
    {
        var line = LocalCommandLine.Parse(args);
        if (line.HelpText is { } help)
        {
            return new LocalOptionsParseResult(null, true, []) { HelpText = help };
        }

        if (line.Errors.Count > 0)
        {
            return new LocalOptionsParseResult(null, false, line.Errors);
        }

        var errors = new List<string>();
        var port = LocalOptions.DefaultPort;
        if (line.Port is { } rawPort
            && !(int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535))
        {
            errors.Add($"--port is '{rawPort}': expected {LocalCommandLine.PortForm}.");
        }

        var file = line.ConfigFile is { } configFile ? StackConfigFile.Read(configFile) : null;
        if (file?.Error is { } unreadable)
        {
            errors.Add(unreadable);
        }

        var dynamoDbEndpoint = line.DynamoDbEndpoint is { } rawEndpoint ? DynamoDbEndpointUrl(rawEndpoint, errors) : null;
        var latency = line.EventDeliveryLatency is { } rawLatency ? EventDeliveryLatency(rawLatency, errors) : TimeSpan.Zero;

        var sources = new SettingSources(line.Settings, file?.Values ?? new Dictionary<string, string>(), line.ConfigFile);
        var parsed = line.Routes.Count > 0 || file?.Routes is not null
            ? RoutedOptions.Build(sources, line.Routes, file?.Routes, port, errors)
            : SingleDownstreamOptions.Build(sources, port, errors);
        return parsed.Options is { } options
            ? parsed with { Options = options with { DynamoDbEndpoint = dynamoDbEndpoint, EventDeliveryLatency = latency } }
            : parsed;
    }

    // Any DynamoDB speaking the API over http(s); credentials travel in the environment, never in the URL.
    private static Uri? DynamoDbEndpointUrl(string raw, List<string> errors)
    {
        if (Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var url)
            && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            && url.Host.Length > 0 && url.UserInfo.Length == 0 && url.Query.Length == 0 && url.Fragment.Length == 0)
        {
            return url;
        }

        errors.Add($"{LocalCommandLine.DynamoDbEndpoint} is '{UrlRedaction.WithoutUserInfo(raw)}': expected {LocalCommandLine.DynamoDbEndpointForm}.");
        return null;
    }

    private static TimeSpan EventDeliveryLatency(string raw, List<string> errors)
    {
        if (SettingValues.TryFiniteNumber(raw, out var seconds) && seconds is >= 0 and <= 60)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        errors.Add($"{LocalCommandLine.EventDeliveryLatency} is '{raw}': expected {LocalCommandLine.EventDeliveryLatencyForm}.");
        return TimeSpan.Zero;
    }
}
