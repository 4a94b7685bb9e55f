namespace CircuitBreaker.Polly.Strategy;

/// <summary>Telemetry arguments of a fault of the circuit's backend, which the strategy survives.</summary>
/// <param name="ServiceId">The circuit's key.</param>
/// <param name="Operation">What the strategy was doing: admit, settle-probe, report-failure or report-call.</param>
/// <param name="Fault">The exception, when there was one.</param>
internal readonly record struct CircuitFaultArguments(string ServiceId, string Operation, Exception? Fault);
