using CircuitBreaker.Polly;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace OrdersFunction;

/// <summary>The function's handler: fetches an order through the pipeline and turns the breaker's refusals into answers.</summary>
internal sealed class OrdersHandler(ResiliencePipeline<string> pipeline, OrdersApi orders)
{
    public async Task<(int Status, string Body)> HandleAsync(string requestId, string orderId, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(DistributedCircuitBreakerProperties.RequestId, requestId);
        try
        {
            var order = await pipeline.ExecuteAsync(
                static (context, state) => state.orders.GetOrderAsync(state.orderId, context.CancellationToken),
                context,
                (orders, orderId)).ConfigureAwait(false);
            return (200, order);
        }
        catch (BrokenCircuitException refused)
        {
            return (503, $"orders-api is failing; retry after {Math.Ceiling(refused.RetryAfter?.TotalSeconds ?? 0)} s");
        }
        catch (TimeoutRejectedException)
        {
            return (504, "orders-api did not answer in time");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
