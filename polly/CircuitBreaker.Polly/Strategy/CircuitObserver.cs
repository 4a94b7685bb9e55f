using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace CircuitBreaker.Polly.Strategy;

/// <summary>
/// What one strategy instance has seen of the shared circuit. The circuit changes state in other processes,
/// so callbacks fire when this instance first sees a new state, once per change, under Polly's event names
/// and argument types so that listeners written for Polly's breaker keep working.
/// </summary>
internal sealed class CircuitObserver<TResult>(
    Func<OnCircuitOpenedArguments<TResult>, ValueTask>? onOpened,
    Func<OnCircuitClosedArguments<TResult>, ValueTask>? onClosed,
    Func<OnCircuitHalfOpenedArguments, ValueTask>? onHalfOpened,
    ResilienceStrategyTelemetry telemetry)
{
    // Polly's own breaker reports under these names.
    internal const string OpenedEvent = "OnCircuitOpened";
    internal const string ClosedEvent = "OnCircuitClosed";
    internal const string HalfOpenedEvent = "OnCircuitHalfOpened";

    private int _seen = (int)CircuitState.Closed;

    /// <summary>Records that <paramref name="state"/> was seen; returns the state seen before when it differs, else null.</summary>
    public CircuitState? See(CircuitState state)
    {
        var before = (CircuitState)Interlocked.Exchange(ref _seen, (int)state);
        return before == state ? null : before;
    }

    /// <summary>Reports and raises the circuit's opening.</summary>
    public ValueTask OpenedAsync(ResilienceContext context, Outcome<TResult> outcome, TimeSpan breakDuration, bool isManual)
    {
        var arguments = new OnCircuitOpenedArguments<TResult>(context, outcome, breakDuration, isManual);
        telemetry.Report(new ResilienceEvent(ResilienceEventSeverity.Error, OpenedEvent), context, outcome, arguments);
        return onOpened?.Invoke(arguments) ?? ValueTask.CompletedTask;
    }

    /// <summary>Reports and raises the circuit's closing.</summary>
    public ValueTask ClosedAsync(ResilienceContext context, Outcome<TResult> outcome, bool isManual)
    {
        var arguments = new OnCircuitClosedArguments<TResult>(context, outcome, isManual);
        telemetry.Report(new ResilienceEvent(ResilienceEventSeverity.Information, ClosedEvent), context, outcome, arguments);
        return onClosed?.Invoke(arguments) ?? ValueTask.CompletedTask;
    }

    /// <summary>Reports and raises the circuit's half-opening.</summary>
    public ValueTask HalfOpenedAsync(ResilienceContext context)
    {
        var arguments = new OnCircuitHalfOpenedArguments(context);
        telemetry.Report(new ResilienceEvent(ResilienceEventSeverity.Warning, HalfOpenedEvent), context, arguments);
        return onHalfOpened?.Invoke(arguments) ?? ValueTask.CompletedTask;
    }
}
