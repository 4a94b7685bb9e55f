namespace CircuitBreaker.Local.LambdaService;

/// <summary>
/// One invocation from queueing to its end. Its state moves once from queued to running and once to
/// done; whoever wins each move (instance, timeout, caller) decides the result.
/// </summary>
internal sealed class PendingInvocation
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Done = 2;

    private readonly TaskCompletionSource<InvocationResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = Queued;
    private ITimer? _deadlineTimer;

    public PendingInvocation(string requestId, byte[] payload, TimeSpan timeout, long queuedAt, InvocationOptions? options = null)
    {
        RequestId = requestId;
        Payload = payload;
        Timeout = timeout;
        QueuedAt = queuedAt;
        Options = options ?? InvocationOptions.None;
    }

    private PendingInvocation(RuntimeApiRefusal refusal)
        : this(string.Empty, [], TimeSpan.Zero, 0)
    {
        Refusal = refusal;
    }

    public string RequestId { get; }

    public byte[] Payload { get; }

    public TimeSpan Timeout { get; }

    /// <summary>TimeProvider timestamp of queueing.</summary>
    public long QueuedAt { get; }

    public DateTimeOffset Deadline { get; private set; }

    /// <summary>What the caller set beyond payload and timeout.</summary>
    public InvocationOptions Options { get; }

    /// <summary>Test seam: not an invocation but the answer the <c>next</c> poll that takes it gets instead of one.</summary>
    public RuntimeApiRefusal? Refusal { get; }

    public Task<InvocationResult> Completion => _completion.Task;

    /// <summary>True once an instance has claimed the invocation; false when it ended while still queued.</summary>
    public Task<bool> Taken => _taken.Task;

    public bool IsQueued => Volatile.Read(ref _state) == Queued;

    /// <summary>A queue entry that answers one <c>next</c> poll with <paramref name="refusal"/> (<see cref="LocalLambdaService.Refuse"/>).</summary>
    public static PendingInvocation Refusing(RuntimeApiRefusal refusal) => new(refusal);

    /// <summary>Claims the invocation for an instance and starts its timeout clock.</summary>
    public bool TryStart(TimeProvider time, Action<PendingInvocation> onTimeout)
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
        {
            return false;
        }

        Deadline = time.GetUtcNow() + Timeout;
        _deadlineTimer = time.CreateTimer(_ => onTimeout(this), null, Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        _taken.TrySetResult(true);
        return true;
    }

    /// <summary>Ends a queued invocation that no instance has claimed.</summary>
    public bool TryAbandon(InvocationResult? result)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Queued) != Queued)
        {
            return false;
        }

        _taken.TrySetResult(false);
        if (result is null)
        {
            _completion.TrySetCanceled();
        }
        else
        {
            _completion.TrySetResult(result);
        }

        return true;
    }

    /// <summary>Ends a running invocation: its instance answered, or its time ran out.</summary>
    public bool TryFinish(InvocationResult result)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Running) != Running)
        {
            return false;
        }

        _deadlineTimer?.Dispose();
        return _completion.TrySetResult(result);
    }
}
