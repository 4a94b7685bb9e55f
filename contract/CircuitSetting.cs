namespace CircuitBreaker.Contract;

/// <summary>
/// One setting of the breaker, under the names it goes by: the camelCase key of Pulumi config and of the
/// local host's <c>--config</c> files, and the environment variable the functions read. The local host's
/// command-line option is the key in kebab-case (<c>failureThreshold</c> is <c>--failure-threshold</c>).
/// </summary>
/// <param name="ConfigKey">Pulumi config key, e.g. <c>failureThreshold</c>.</param>
/// <param name="EnvironmentVariable">Function environment variable, e.g. <c>FAILURE_THRESHOLD</c>.</param>
/// <param name="DefaultValue">The value used when the setting is absent; null when it is required or derived.</param>
/// <param name="ExpectedForm">How a valid value looks, for error messages.</param>
public sealed record CircuitSetting(string ConfigKey, string EnvironmentVariable, string? DefaultValue, string ExpectedForm);
