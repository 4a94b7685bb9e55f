using System.Globalization;
using CircuitBreaker.Contract;
using static CircuitBreaker.Local.Cli.LocalOptionTable;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// Reads the local host's command line into <see cref="LocalOptions"/>. The breaker's settings go through
/// the contract's <see cref="CircuitSettingsReader"/>, so they are validated exactly as the stack validates
/// them; command-line options override the <c>--config</c> file, which overrides the defaults.
/// </summary>
internal static class LocalOptionsParser
{
    /// <summary>Parses <paramref name="args"/>; relative <c>--config</c> paths are relative to the current directory.</summary>
    public static LocalOptionsParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var errors = new List<string>();
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        var routes = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                return new LocalOptionsParseResult(null, true, []);
            }

            string name;
            string? value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
                value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            }

            if (!IsKnown(name))
            {
                errors.Add($"{name}: unknown option; run with --help for the options.");
                continue;
            }

            if (value is null)
            {
                errors.Add($"{name} needs a value: expected {ExpectedForm(name)}.");
                continue;
            }

            if (name == "--route")
            {
                routes.Add(value);
                continue;
            }

            if (!given.TryAdd(name, value))
            {
                errors.Add($"{name} is given more than once: expected it once.");
            }
        }

        if (errors.Count > 0)
        {
            return new LocalOptionsParseResult(null, false, errors);
        }

        return Build(given, routes);
    }

    private static LocalOptionsParseResult Build(Dictionary<string, string> given, List<string> routeOptions)
    {
        var errors = new List<string>();

        var port = LocalOptions.DefaultPort;
        if (given.TryGetValue("--port", out var rawPort)
            && !(int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535))
        {
            errors.Add($"--port is '{rawPort}': expected {PortForm}.");
        }

        IReadOnlyDictionary<string, string> fileValues = new Dictionary<string, string>();
        IReadOnlyList<IReadOnlyDictionary<string, string>>? fileRoutes = null;
        given.TryGetValue("--config", out var configFile);
        if (configFile is not null)
        {
            var read = StackConfigFile.Read(configFile);
            if (read.Error is not null)
            {
                errors.Add(read.Error);
            }

            fileValues = read.Values;
            fileRoutes = read.Routes;
        }

        if (routeOptions.Count > 0 || fileRoutes is not null)
        {
            return RoutedOptions.Build(given, routeOptions, fileValues, fileRoutes, configFile, port, errors);
        }

        return SingleDownstreamOptions.Build(given, fileValues, configFile, port, errors);
    }
}
