using System.Net;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// The custom runtime's loop: take the next invocation, run the handler under the invocation's deadline,
/// post its response or its error, repeat. A failing handler fails its invocation only; a Runtime API
/// that cannot be reached for a while (a local host restarting) is waited for; only the Runtime API's
/// 500, which the spec makes fatal, ends the loop with an exception.
/// </summary>
internal sealed class LambdaRuntimeLoop
{
    // CancellationTokenSource timers take at most ~49 days; Lambda's deadlines are 15 minutes away at most,
    // so a longer one is a host's "no deadline" and a day is as good as forever.
    private static readonly TimeSpan LongestDeadline = TimeSpan.FromDays(1);

    private readonly RuntimeApiClient _client;
    private readonly IInvocationHandler _handler;
    private readonly FunctionLog _log;
    private readonly TimeProvider _time;
    private readonly RuntimeLoopOptions _options;

    /// <summary>Creates a loop serving <paramref name="handler"/> through <paramref name="client"/>.</summary>
    public LambdaRuntimeLoop(RuntimeApiClient client, IInvocationHandler handler, FunctionLog log, TimeProvider time, RuntimeLoopOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.InitialRetryDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRetryDelay, options.InitialRetryDelay, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPostAttempts, 1, nameof(options));
        _client = client;
        _handler = handler;
        _log = log;
        _time = time;
        _options = options;
    }

    /// <summary>
    /// Serves invocations until <paramref name="cancellationToken"/> is cancelled, then returns normally
    /// (a handler still running is cancelled and its invocation left unanswered).
    /// </summary>
    /// <exception cref="RuntimeApiFatalException">The Runtime API answered 500: the process must exit.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var consecutiveFailures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ServeNextAsync(cancellationToken);
                consecutiveFailures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (IsTransient(error, cancellationToken))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    // Stopping: a host that ends the Runtime API as it stops the loop breaks the long-poll, and
                    // the break may arrive just before the cancellation is seen. Not a fault; end quietly.
                    return;
                }

                consecutiveFailures++;
                var delay = RetryDelay(consecutiveFailures);
                _log.Warn(
                    "Could not get the next invocation from the Runtime API; retrying.",
                    default,
                    ("error", error),
                    ("attempt", consecutiveFailures),
                    ("retryIn", delay));
                try
                {
                    await Task.Delay(delay, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // Everything that may be worth retrying against a Runtime API that is briefly away or confused.
    // RuntimeApiFatalException is deliberately absent, and so are bugs.
    private static bool IsTransient(Exception error, CancellationToken stopping) => error switch
    {
        HttpRequestException or IOException or RuntimeApiException or MalformedInvocationException => true,
        OperationCanceledException => !stopping.IsCancellationRequested,
        _ => false,
    };

    private async Task ServeNextAsync(CancellationToken stopping)
    {
        LambdaInvocation invocation;
        try
        {
            invocation = await _client.GetNextInvocationAsync(stopping);
        }
        catch (MalformedInvocationException malformed) when (malformed.RequestId is not null)
        {
            // Known id, unusable invocation: fail it now rather than leave it to Lambda's timeout.
            var scope = new LogScope(RequestId: malformed.RequestId);
            LogInvocationFailure(scope, malformed);
            await PostErrorAsync(malformed.RequestId, malformed, scope, stopping);
            return;
        }

        await ServeAsync(invocation, stopping);
    }

    private async Task ServeAsync(LambdaInvocation invocation, CancellationToken stopping)
    {
        var scope = new LogScope(RequestId: invocation.RequestId);
        if (_options.ExportTraceIdToEnvironment)
        {
            // Null removes the previous invocation's id when this one has none.
            Environment.SetEnvironmentVariable(FunctionEnvironment.TraceId, invocation.TraceId);
        }

        var (response, error) = await InvokeHandlerAsync(invocation, stopping);
        if (error is not null)
        {
            LogInvocationFailure(scope, error);
            await PostErrorAsync(invocation.RequestId, error, scope, stopping);
            return;
        }

        await PostResponseAsync(invocation.RequestId, response, scope, stopping);
    }

    private async Task<(ReadOnlyMemory<byte> Response, Exception? Error)> InvokeHandlerAsync(LambdaInvocation invocation, CancellationToken stopping)
    {
        var remaining = invocation.RemainingTime(_time);
        using var deadline = new CancellationTokenSource(remaining < LongestDeadline ? remaining : LongestDeadline, _time);
        using var invocationToken = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        try
        {
            return (await _handler.HandleAsync(invocation, invocationToken.Token), null);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException cancelled) when (deadline.IsCancellationRequested)
        {
            return (default, new InvocationDeadlineExceededException(invocation.Deadline, cancelled));
        }
        catch (Exception error)
        {
            return (default, error);
        }
    }

    private async Task PostResponseAsync(string requestId, ReadOnlyMemory<byte> response, LogScope scope, CancellationToken stopping)
    {
        try
        {
            await PostWithRetriesAsync(token => _client.PostResponseAsync(requestId, response, token), stopping);
        }
        catch (RuntimeApiException refusal) when (refusal.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            // The spec's 413: the invocation is still open, so it can and should get an error instead.
            var tooLarge = new ResponseTooLargeException(response.Length, refusal);
            LogInvocationFailure(scope, tooLarge);
            await PostErrorAsync(requestId, tooLarge, scope, stopping);
        }
        catch (RuntimeApiException refusal)
        {
            _log.Error("The Runtime API refused the response; the invocation is left to Lambda.", scope, ("error", refusal));
        }
        catch (Exception unreachable) when (unreachable is HttpRequestException or IOException)
        {
            _log.Error("Could not post the response; the invocation is lost.", scope, ("error", unreachable));
        }
    }

    private async Task PostErrorAsync(string requestId, Exception error, LogScope scope, CancellationToken stopping)
    {
        try
        {
            await PostWithRetriesAsync(token => _client.PostErrorAsync(requestId, error, token), stopping);
        }
        catch (RuntimeApiException refusal)
        {
            _log.Error("The Runtime API refused the error report; the invocation is left to Lambda.", scope, ("error", refusal));
        }
        catch (Exception unreachable) when (unreachable is HttpRequestException or IOException)
        {
            _log.Error("Could not post the error report; the invocation is lost.", scope, ("error", unreachable));
        }
    }

    // Only a failed connection is retried: a refusal (4xx) would be refused again, and a 500 is fatal.
    private async Task PostWithRetriesAsync(Func<CancellationToken, Task> post, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await post(stopping);
                return;
            }
            catch (Exception unreachable) when (unreachable is HttpRequestException or IOException && attempt < _options.MaxPostAttempts)
            {
                await Task.Delay(RetryDelay(attempt), _time, stopping);
            }
        }
    }

    private void LogInvocationFailure(LogScope scope, Exception error) =>
        _log.Error("The invocation failed; reported to the Runtime API.", scope, ("errorType", LambdaErrorTypes.Of(error)), ("error", error));

    // Doubling from the initial delay, capped; no jitter, since one runtime per sandbox cannot stampede.
    private TimeSpan RetryDelay(int consecutiveFailures)
    {
        var factor = Math.Pow(2, Math.Min(consecutiveFailures - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.InitialRetryDelay.Ticks * factor, _options.MaxRetryDelay.Ticks));
        return delay;
    }
}
