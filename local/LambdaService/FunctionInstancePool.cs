using System.Collections.Concurrent;
using System.Threading.Channels;

namespace CircuitBreaker.Local.LambdaService;

/// <summary>
/// One function's queue and instances. Scales out as Lambda does: an invocation that finds no free
/// instance (live instances minus those busy, counting ones still starting) gets a new instance, up to the cap.
/// An instance serves one invocation at a time, so it is free again as soon as it answers.
/// </summary>
internal sealed class FunctionInstancePool
{
    private readonly Channel<PendingInvocation> _queue = Channel.CreateUnbounded<PendingInvocation>();
    private readonly ConcurrentDictionary<string, PendingInvocation> _handedOut = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _instances = new();
    private readonly Func<string, CancellationToken, Task> _instanceStarter;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly int _maxInstances;
    private readonly CancellationToken _stopping;
    private readonly Lock _gate = new();
    private int _live;
    private int _peak;
    private int _started;
    private int _busy;
    private int _queued;
    private int _polling;
    private long _invocations;
    private long _succeeded;
    private long _failed;
    private long _timedOut;
    private long _notStarted;

    public FunctionInstancePool(
        string function,
        Func<string, CancellationToken, Task> instanceStarter,
        TimeProvider time,
        TextWriter log,
        int maxInstances,
        CancellationToken stopping)
    {
        Function = function;
        _instanceStarter = instanceStarter;
        _time = time;
        _log = log;
        _maxInstances = maxInstances;
        _stopping = stopping;
    }

    public string Function { get; }

    public FunctionStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new FunctionStatistics(Function, _live, _peak, _started, _busy, _queued,
                    _invocations, _succeeded, _failed, _timedOut, _notStarted, _polling);
            }
        }
    }

    /// <summary>Tasks of instances still running, for shutdown.</summary>
    public IReadOnlyCollection<Task> RunningInstances => [.. _instances.Keys];

    public void Enqueue(PendingInvocation invocation)
    {
        bool startOne;
        lock (_gate)
        {
            _invocations++;
            _queued++;
            startOne = _queued > _live - _busy && _live < _maxInstances;
            if (startOne)
            {
                _live++;
                _started++;
                _peak = Math.Max(_peak, _live);
            }
        }

        _queue.Writer.TryWrite(invocation);
        if (startOne)
        {
            StartInstance();
        }
    }

    /// <summary>Test seam: the next <c>next</c> poll, in turn with the queued invocations, is answered with <paramref name="refusal"/>.</summary>
    public void EnqueueRefusal(RuntimeApiRefusal refusal) => _queue.Writer.TryWrite(PendingInvocation.Refusing(refusal));

    /// <summary>
    /// The long-poll of <c>/runtime/invocation/next</c>: the next queued invocation, claimed for the caller (or a
    /// refusal put in the queue by <see cref="EnqueueRefusal"/>).
    /// </summary>
    public async Task<PendingInvocation> NextAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _polling++;
        }

        try
        {
            while (true)
            {
                var invocation = await _queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (invocation.Refusal is not null)
                {
                    return invocation;
                }

                if (invocation.TryStart(_time, TimeOut))
                {
                    lock (_gate)
                    {
                        _queued--;
                        _busy++;
                    }

                    _handedOut[invocation.RequestId] = invocation;
                    return invocation;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _polling--;
            }
        }
    }

    /// <summary>Puts back an invocation whose <c>next</c> response could not be delivered.</summary>
    public void ReturnUndelivered(PendingInvocation invocation)
    {
        if (_handedOut.TryRemove(invocation.RequestId, out _))
        {
            lock (_gate)
            {
                _busy--;
            }
        }

        var result = new InvocationResult(invocation.RequestId, InvocationOutcome.NoInstance,
            LambdaErrors.Document("The runtime went away before it received the invocation.", "Runtime.Unavailable"),
            "Runtime.Unavailable", Elapsed(invocation));
        if (invocation.TryFinish(result))
        {
            Count(InvocationOutcome.NoInstance);
        }
    }

    /// <summary>An instance answered <paramref name="requestId"/>; false when no such invocation was handed out.</summary>
    public bool TryAnswer(string requestId, InvocationOutcome outcome, byte[] payload, string? errorType, string? contentType = null)
    {
        if (!_handedOut.TryRemove(requestId, out var invocation))
        {
            return false;
        }

        lock (_gate)
        {
            _busy--;
        }

        // A late answer (after the timeout) frees the instance but no longer changes the result.
        if (invocation.TryFinish(new InvocationResult(requestId, outcome, payload, errorType, Elapsed(invocation), contentType)))
        {
            Count(outcome);
        }

        return true;
    }

    /// <summary>An instance failed to initialise: as Lambda does, the error answers one waiting invocation.</summary>
    public void InitFailed(byte[] errorDocument, string errorType, string? contentType)
    {
        while (_queue.Reader.TryRead(out var invocation))
        {
            if (invocation.Refusal is not null)
            {
                continue;
            }

            var result = new InvocationResult(invocation.RequestId, InvocationOutcome.FunctionError, errorDocument, errorType, Elapsed(invocation), contentType);
            if (Abandon(invocation, result))
            {
                return;
            }
        }
    }

    /// <summary>Ends an invocation no instance has claimed; null result = the caller cancelled.</summary>
    public bool Abandon(PendingInvocation invocation, InvocationResult? result)
    {
        if (!invocation.TryAbandon(result))
        {
            return false;
        }

        lock (_gate)
        {
            _queued--;
        }

        if (result is not null)
        {
            Count(result.Outcome);
        }

        return true;
    }

    public TimeSpan Elapsed(PendingInvocation invocation) => _time.GetElapsedTime(invocation.QueuedAt);

    private void TimeOut(PendingInvocation invocation)
    {
        var seconds = invocation.Timeout.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var document = LambdaErrors.Document($"RequestId: {invocation.RequestId} Error: Task timed out after {seconds} seconds", LambdaErrors.TimedOut);
        if (invocation.TryFinish(new InvocationResult(invocation.RequestId, InvocationOutcome.Timeout, document, LambdaErrors.TimedOut, Elapsed(invocation))))
        {
            Count(InvocationOutcome.Timeout);
        }
    }

    private void Count(InvocationOutcome outcome)
    {
        lock (_gate)
        {
            switch (outcome)
            {
                case InvocationOutcome.Success: _succeeded++; break;
                case InvocationOutcome.FunctionError: _failed++; break;
                case InvocationOutcome.Timeout: _timedOut++; break;
                default: _notStarted++; break;
            }
        }
    }

    private void StartInstance()
    {
        var instance = Task.Run(() => _instanceStarter(Function, _stopping), CancellationToken.None);
        _instances[instance] = 0;
        _ = instance.ContinueWith(
            finished =>
            {
                _instances.TryRemove(finished, out _);
                lock (_gate)
                {
                    _live--;
                }

                if (finished.IsFaulted && !_stopping.IsCancellationRequested)
                {
                    _log.WriteLine($"lambda: an instance of {Function} crashed: {finished.Exception?.GetBaseException().Message}");
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
