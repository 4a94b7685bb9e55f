using System.ComponentModel.DataAnnotations;
using Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Polly;

/// <summary>
/// Options of the distributed circuit breaker for results of type <typeparamref name="TResult"/>, in the shape
/// of Polly's <see cref="CircuitBreakerStrategyOptions{TResult}"/>: which outcomes are failures, and what to do
/// when the circuit changes state.
/// </summary>
/// <typeparam name="TResult">The type of result the strategy handles.</typeparam>
public class DistributedCircuitBreakerStrategyOptions<TResult> : DistributedCircuitBreakerSettings
{
    /// <summary>The strategy's name, also its name in Polly's telemetry.</summary>
    public const string DefaultName = "DistributedCircuitBreaker";

    /// <summary>Creates options with the defaults.</summary>
    public DistributedCircuitBreakerStrategyOptions()
    {
        Name = DefaultName;
        ShouldHandle = IsFailureByDefault;
    }

    /// <summary>
    /// Which outcomes count as failures. Default: any exception except <see cref="OperationCanceledException"/>,
    /// as in Polly's own breaker, and an <see cref="HttpResponseMessage"/> result whose status is one of
    /// <see cref="DistributedCircuitBreakerSettings.FailureStatusCodes"/>. Build one with <see cref="PredicateBuilder{TResult}"/>.
    /// </summary>
    [Required]
    public Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> ShouldHandle { get; set; }

    /// <summary>
    /// What the failure event of an outcome <see cref="ShouldHandle"/> judged failed says: its reason, status code and the
    /// dependency's <c>Retry-After</c>. Null (the default): <see cref="CircuitFailure.Of"/>, which reads an
    /// <see cref="HttpResponseMessage"/>'s status and <c>Retry-After</c> and names exceptions. A description that throws,
    /// or names a reason the recorder does not know, is reported with the generic reason <c>exception</c>.
    /// </summary>
    public Func<Outcome<TResult>, CircuitFailure>? DescribeFailure { get; set; }

    /// <summary>
    /// Raised when this instance sees the circuit open: its probe failed, a call was refused because another
    /// instance's failures opened it, or an operator isolated it (<c>IsManual</c>). The outcome is the failed
    /// probe's, or else the <see cref="BrokenCircuitException"/> the refused call gets; <c>BreakDuration</c> is
    /// the time until a probe may run (<see cref="TimeSpan.MaxValue"/> while isolated).
    /// </summary>
    public Func<OnCircuitOpenedArguments<TResult>, ValueTask>? OnOpened { get; set; }

    /// <summary>
    /// Raised when this instance sees the circuit closed after having seen it otherwise: its probe succeeded, or
    /// its first call after another instance's successful probe (or an operator's release, <c>IsManual</c>) ran.
    /// The outcome is that call's.
    /// </summary>
    public Func<OnCircuitClosedArguments<TResult>, ValueTask>? OnClosed { get; set; }

    /// <summary>
    /// Raised when this instance sees the circuit half-open: it won the probe (raised before the probe runs), or
    /// a call was refused while another instance probes.
    /// </summary>
    public Func<OnCircuitHalfOpenedArguments, ValueTask>? OnHalfOpened { get; set; }

    // Read at each call, so that FailureStatusCodes set after construction applies.
    private ValueTask<bool> IsFailureByDefault(CircuitBreakerPredicateArguments<TResult> arguments) => new(arguments.Outcome switch
    {
        { Exception: { } exception } => exception is not OperationCanceledException,
        { Result: HttpResponseMessage response } => CircuitFailure.IsFailure(response, FailureStatusCodes),
        _ => false,
    });
}
