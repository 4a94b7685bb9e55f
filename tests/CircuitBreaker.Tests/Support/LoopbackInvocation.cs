using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Tests.Support;

/// <summary>An invocation queued on a <see cref="LoopbackRuntimeApi"/>, and its outcome once the runtime answers.</summary>
public sealed class LoopbackInvocation
{
    private readonly TaskCompletionSource<PostedOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal LoopbackInvocation(IReadOnlyDictionary<string, string> headers, byte[] payload)
    {
        Headers = headers;
        Payload = payload;
        RequestId = headers.TryGetValue(RuntimeApiProtocol.RequestIdHeader, out var id) ? id : string.Empty;
    }

    /// <summary>The request id handed to the runtime.</summary>
    public string RequestId { get; }

    /// <summary>The headers <c>next</c> answers with.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The event.</summary>
    public byte[] Payload { get; }

    /// <summary>Completes with the first response or error posted for this invocation.</summary>
    public Task<PostedOutcome> Outcome => _outcome.Task;

    /// <summary>Waits for the outcome, failing with the request id named when none comes in time.</summary>
    public async Task<PostedOutcome> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _outcome.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Invocation {RequestId} got no response or error within {timeout}.");
        }
    }

    internal bool TryComplete(PostedOutcome outcome) => _outcome.TrySetResult(outcome);
}
