namespace CircuitBreaker.Core.Logging;

/// <summary>What a log line is about; every field is optional.</summary>
/// <param name="RequestId">The invocation's request id.</param>
/// <param name="ServiceId">The circuit's key.</param>
/// <param name="CircuitState">The circuit's state as the function saw it.</param>
public readonly record struct LogScope(string? RequestId = null, string? ServiceId = null, string? CircuitState = null);
