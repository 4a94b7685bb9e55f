using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using CircuitBreaker.Polly.Strategy;
using Polly;

namespace CircuitBreaker.Polly;

/// <summary>
/// Adds the distributed circuit breaker to Polly's pipeline builders, like Polly's own <c>AddCircuitBreaker</c>.
/// </summary>
/// <remarks>
/// Order: put timeouts inside the breaker and retries outside it,
/// <c>new ResiliencePipelineBuilder().AddRetry(...).AddDistributedCircuitBreaker(...).AddTimeout(...)</c>:
/// a timeout then counts as a failure, and a retry of a <c>BrokenCircuitException</c> fails fast without calling
/// the dependency (give the retry a <c>ShouldHandle</c> that skips it, or a delay from its <c>RetryAfter</c>).
/// </remarks>
public static class DistributedCircuitBreakerResiliencePipelineBuilderExtensions
{
    private const string OptionsPreserved = "The options' members are preserved by DynamicDependency or by the annotated type parameter.";

    /// <summary>Adds the distributed circuit breaker to the builder.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated here, as Polly validates its own.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ValidationException">The options are invalid.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsPreserved)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DistributedCircuitBreakerStrategyOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DistributedCircuitBreakerStrategyOptions<object>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DistributedCircuitBreakerSettings))]
    public static ResiliencePipelineBuilder AddDistributedCircuitBreaker(this ResiliencePipelineBuilder builder, DistributedCircuitBreakerStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.AddStrategy(context => CreateStrategy(context, options), options);
    }

    /// <summary>Adds the distributed circuit breaker to the builder of a pipeline for <typeparamref name="TResult"/>.</summary>
    /// <typeparam name="TResult">The type of result the pipeline handles.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated here, as Polly validates its own.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ValidationException">The options are invalid.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsPreserved)]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(DistributedCircuitBreakerSettings))]
    public static ResiliencePipelineBuilder<TResult> AddDistributedCircuitBreaker<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        this ResiliencePipelineBuilder<TResult> builder,
        DistributedCircuitBreakerStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.AddStrategy(context => CreateStrategy(context, options), options);
    }

    private static DistributedCircuitBreakerResilienceStrategy<TResult> CreateStrategy<TResult>(
        StrategyBuilderContext context,
        DistributedCircuitBreakerStrategyOptions<TResult> options)
    {
        // Without a circuit of their own, the options get the deployed breaker's: built once per strategy, and kept
        // for the process's life with the pipeline.
        var circuit = options.Circuit ?? DynamoDbDistributedCircuit.Create(options);

        if (!string.Equals(circuit.ServiceId, options.ServiceId, StringComparison.Ordinal))
        {
            throw new ValidationException(
                $"The options' ServiceId '{options.ServiceId}' differs from the circuit's '{circuit.ServiceId}': a strategy consults the circuit of its own service.");
        }

        return new DistributedCircuitBreakerResilienceStrategy<TResult>(circuit, options, options.TimeProvider ?? context.TimeProvider, context.Telemetry);
    }
}
