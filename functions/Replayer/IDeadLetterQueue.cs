using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Functions.Replayer;

/// <summary>Where the replayer sends a deferred request that failed <c>deferMaxAttempts</c> replays.</summary>
internal interface IDeadLetterQueue
{
    /// <summary>Sends the request with its last error; false when it could not be sent (it is then kept for the next replay).</summary>
    Task<bool> SendAsync(DeferredRequest request, int attempts, string error, CancellationToken cancellationToken);
}

/// <summary>No dead-letter queue configured: the request is logged (at Error, with its id and method) and given up.</summary>
internal sealed class LogOnlyDeadLetterQueue(CircuitBreaker.Core.Logging.FunctionLog log) : IDeadLetterQueue
{
    /// <inheritdoc />
    public Task<bool> SendAsync(DeferredRequest request, int attempts, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        log.Error(
            "deferred request given up without a dead-letter queue",
            new CircuitBreaker.Core.Logging.LogScope(ServiceId: request.ServiceId),
            ("deferredId", request.Id),
            ("method", request.Method),
            ("attempts", attempts),
            ("error", error));
        return Task.FromResult(true);
    }
}
