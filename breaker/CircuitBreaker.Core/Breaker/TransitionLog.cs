using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Core.Breaker;

/// <summary>The one log line every circuit transition writes, so that hosts and dashboards can find them by message.</summary>
public static class TransitionLog
{
    /// <summary>The message of a transition line.</summary>
    public const string Message = "circuit transition";

    /// <summary>Writes a transition line: from, to and why.</summary>
    public static void Transition(this FunctionLog log, LogScope scope, CircuitView from, CircuitView to, string reason) =>
        log.Info(Message, scope with { CircuitState = to.Name() }, ("from", from.Name()), ("to", to.Name()), ("reason", reason));
}
