namespace CircuitBreaker.Polly;

/// <summary>
/// Options of the distributed circuit breaker for the non-generic <c>ResiliencePipelineBuilder</c>,
/// like Polly's <c>CircuitBreakerStrategyOptions</c>.
/// </summary>
public class DistributedCircuitBreakerStrategyOptions : DistributedCircuitBreakerStrategyOptions<object>;
