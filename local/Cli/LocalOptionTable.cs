using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The local host's options: their names, the breaker setting each one sets (the contract's
/// <see cref="CircuitSettingKeys"/>, so a setting's kebab-case option and its config key name the same thing), the form
/// each value must take, and the usage text.
/// </summary>
internal static class LocalOptionTable
{
    public const string PortForm = "a port number from 0 to 65535 (0 = any free port)";
    public const string DownstreamForm = "an absolute http(s) URL or simulate:hang, simulate:fail, simulate:ok or simulate:flap";
    public const string SimulatePrefix = "simulate:";
    public const string RouteForm = "PREFIX=TARGET, e.g. /orders=simulate:hang or /pay=http://127.0.0.1:8080/ (TARGET as for --downstream)";

    private static readonly Dictionary<string, CircuitSetting> SettingOptions = new Dictionary<string, CircuitSetting>(StringComparer.Ordinal)
    {
        ["--timeout-seconds"] = CircuitSettingKeys.DownstreamTimeoutSeconds,
        ["--failure-threshold"] = CircuitSettingKeys.FailureThreshold,
        ["--window-seconds"] = CircuitSettingKeys.WindowSeconds,
        ["--open-seconds"] = CircuitSettingKeys.OpenSeconds,
        ["--failure-ratio"] = CircuitSettingKeys.FailureRatio,
        ["--minimum-throughput"] = CircuitSettingKeys.MinimumThroughput,
        ["--slow-call-seconds"] = CircuitSettingKeys.SlowCallSeconds,
        ["--max-open-seconds"] = CircuitSettingKeys.MaxOpenSeconds,
        ["--metrics-namespace"] = CircuitSettingKeys.MetricsNamespace,
        ["--fail-open"] = CircuitSettingKeys.FailOpen,
        ["--service-id"] = CircuitSettingKeys.ServiceId,
    };

    /// <summary>The usage text printed by <c>--help</c> and after errors.</summary>
    public static string Usage { get; } = string.Join(Environment.NewLine,
        "Usage: dotnet run --project local -- [options]",
        "",
        "Runs the circuit breaker on this machine: HTTP API, both functions, EventBridge, DynamoDB (dynalite)",
        "and a downstream simulator, all on 127.0.0.1. Seconds accept fractions (e.g. 0.2).",
        "",
        $"  --port N                 HTTP API port (default {LocalOptions.DefaultPort}; 0 = any free port)",
        "  --downstream TARGET      URL of a real downstream, or simulate:hang|simulate:fail|simulate:ok|simulate:flap",
        "                           (default simulate:hang)",
        $"  --timeout-seconds S      downstream call timeout (default {CircuitSettingKeys.DownstreamTimeoutSeconds.DefaultValue})",
        $"  --failure-threshold N    failures within the window that open the circuit (default {CircuitSettingKeys.FailureThreshold.DefaultValue})",
        $"  --window-seconds S       how far back failures count (default {CircuitSettingKeys.WindowSeconds.DefaultValue})",
        $"  --open-seconds S         how long the circuit stays open before one probe (default {CircuitSettingKeys.OpenSeconds.DefaultValue})",
        "  --failure-ratio R        ratio mode: open when failures / calls within the window reach R (0 < R <= 1);",
        "                           unset (the default) keeps count mode and --failure-threshold",
        $"  --minimum-throughput N   ratio mode: calls within the window before the ratio may open (default {CircuitSettingKeys.MinimumThroughput.DefaultValue})",
        "  --slow-call-seconds S    publish a call still pending after S as failed (reason slow), below the timeout",
        "                           (default: off)",
        "  --max-open-seconds S     each failed probe doubles the open period up to S, with +-10 % jitter",
        "                           (default: --open-seconds, i.e. no backoff)",
        $"  --metrics-namespace NS   CloudWatch namespace of the metrics in the functions' log lines (default {CircuitSettingKeys.MetricsNamespace.DefaultValue})",
        $"  --fail-open true|false   call the downstream when the breaker's store is unreachable (default {CircuitSettingKeys.FailOpen.DefaultValue})",
        "  --service-id ID          the circuit's key (default: the downstream URL's host)",
        "  --route PREFIX=TARGET    a route: requests under PREFIX go to TARGET (a URL or simulate:MODE, each simulated",
        "                           route with its own simulator), behind their own circuit; repeat for more routes.",
        "                           Longest prefix wins; no match is a 404. The options above apply to every route.",
        "                           Replaces --downstream and the config file's downstreamUrl and routes",
        "  --config FILE            take the settings from a stack's Pulumi.<stack>.yaml (options above override it),",
        "                           including its routes list (downstreamUrl may be simulate:MODE there too)",
        "  --help                   show this text",
        "",
        "The simulator is switched at run time with: curl -X PUT --data flap http://127.0.0.1:<simulator port>/mode");

    /// <summary>The option that sets <paramref name="setting"/>; null for a setting no option sets.</summary>
    public static string? OptionFor(CircuitSetting setting) =>
        setting == CircuitSettingKeys.DownstreamUrl ? "--downstream" : SettingOptions.FirstOrDefault(pair => pair.Value == setting).Key;

    /// <summary>Whether <paramref name="name"/> is one of the options.</summary>
    public static bool IsKnown(string name) =>
        name is "--port" or "--downstream" or "--config" or "--route" || SettingOptions.ContainsKey(name);

    /// <summary>The form the value of the known option <paramref name="name"/> must take, for error messages.</summary>
    public static string ExpectedForm(string name) => name switch
    {
        "--port" => PortForm,
        "--downstream" => DownstreamForm,
        "--config" => StackConfigFile.ExpectedForm,
        "--route" => RouteForm,
        _ => SettingOptions[name].ExpectedForm,
    };
}
