using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Polly;
using Polly;

namespace CircuitBreaker.Functions.Webservice;

/// <summary>
/// The Polly pipeline every call to a route's downstream runs through, the webservice's and the replayer's alike:
/// <c>AddDistributedCircuitBreaker</c> over the route's circuit, judging each outcome by the route's policy.
/// </summary>
internal static class RoutePipeline
{
    /// <summary>The pipeline of the route <paramref name="settings"/> describe, over <paramref name="circuit"/>.</summary>
    /// <param name="circuit">The route's circuit.</param>
    /// <param name="settings">The route's settings: its key and policy.</param>
    /// <param name="failOpen">Whether a call the circuit's store cannot admit goes ahead (the caller decides: a replay never does).</param>
    /// <param name="time">The clock.</param>
    public static ResiliencePipeline<DownstreamOutcome> Build(IDistributedCircuit circuit, CircuitSettings settings, bool failOpen, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(settings);
        var policy = settings.Policy;
        return new ResiliencePipelineBuilder<DownstreamOutcome> { TimeProvider = time }
            .AddDistributedCircuitBreaker(new DistributedCircuitBreakerStrategyOptions<DownstreamOutcome>
            {
                ServiceId = settings.ServiceId,
                Circuit = circuit,
                SlowCallThreshold = policy.SlowCallThreshold,
                FailOpen = failOpen,
                FailureStatusCodes = policy.FailureStatusCodes,
                MaxRetryAfter = policy.MaxRetryAfter,
                TimeProvider = time,

                // The callback never throws for the downstream's faults: they are outcomes, judged by the route's policy.
                ShouldHandle = static arguments => new(arguments.Outcome.Result is { } outcome && outcome.IsFailure),
                DescribeFailure = static outcome => outcome.Result?.Failure ?? default,
            })
            .Build();
    }
}
