using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// Runs one DynamoDB request for the store and turns what went wrong into the store's terms: a failed condition is an
/// answer (false), the caller's own cancellation stays a cancellation, everything else is
/// <see cref="CircuitStoreUnavailableException"/>.
/// </summary>
public static class StoreCalls
{
    /// <summary>Runs <paramref name="call"/>; a fault of the store becomes <see cref="CircuitStoreUnavailableException"/>.</summary>
    /// <param name="operation">The DynamoDB operation's name, for the message.</param>
    /// <param name="serviceId">The circuit the request is about, for the message.</param>
    /// <param name="call">The request.</param>
    /// <param name="cancellationToken">The caller's token: its cancellation is not a fault of the store.</param>
    public static async Task<TResponse> Call<TResponse>(
        string operation, string serviceId, Func<Task<TResponse>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsThrottled(e))
        {
            throw new CircuitStoreThrottledException(
                $"DynamoDB {operation} for circuit '{serviceId}' was throttled: {e.GetType().Name}: {e.Message}", e);
        }
        catch (Exception e) when (IsStoreFault(e, cancellationToken))
        {
            throw new CircuitStoreUnavailableException(
                $"DynamoDB {operation} for circuit '{serviceId}' failed: {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Runs a conditional <paramref name="call"/>: true when it was applied, false when its condition did not hold.</summary>
    /// <param name="operation">The DynamoDB operation's name, for the message.</param>
    /// <param name="serviceId">The circuit the request is about, for the message.</param>
    /// <param name="call">The conditional request.</param>
    /// <param name="cancellationToken">The caller's token: its cancellation is not a fault of the store.</param>
    public static async Task<bool> Conditional<TResponse>(
        string operation, string serviceId, Func<Task<TResponse>> call, CancellationToken cancellationToken)
    {
        try
        {
            await Call(operation, serviceId, call, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // Another caller moved the circuit (or stored the event) first: an answer, not a fault.
            return false;
        }
    }

    /// <summary>
    /// DynamoDB's answers for want of throughput, each HTTP 400 (Developer Guide, "Error handling with DynamoDB",
    /// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html):
    /// <c>ProvisionedThroughputExceededException</c> (a table, index or key range over its rate),
    /// <c>ThrottlingException</c> (control-plane requests too fast) and <c>RequestLimitExceeded</c> (the account's
    /// on-demand throughput).
    /// </summary>
    public static bool IsThrottled(Exception e) =>
        e is ProvisionedThroughputExceededException or RequestLimitExceededException
        || (e is Amazon.Runtime.AmazonServiceException service
            && service.ErrorCode is "ProvisionedThroughputExceededException" or "ThrottlingException" or "RequestLimitExceeded");

    // Everything but a failed condition and the caller's own cancellation means the store cannot serve:
    // refused connections, the SDK's timeouts (which surface as cancellations nobody asked for), throttling
    // after the SDK's retries, 5xx. The breaker decides what to do without the store.
    private static bool IsStoreFault(Exception e, CancellationToken cancellationToken) =>
        e is not ConditionalCheckFailedException
        && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
