using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// The recorder's rule per circuit: each route's service id is recorded with its route's settings (window, threshold
/// or ratio, open period). A service id that no route has is recorded with the stack-wide settings rather than
/// dropped, since functions embedding the library publish their own service ids to the same bus; with routes it is
/// logged as a warning too, since there it may also be a route that was removed or renamed.
/// </summary>
public sealed class FailureRecorders
{
    private readonly IReadOnlyDictionary<string, FailureRecorder> _byServiceId;
    private readonly FailureRecorder _stackWide;
    private readonly FunctionLog? _warnUnknownTo;

    /// <summary>Records per service id, with <paramref name="stackWide"/> for the others (a warning goes to <paramref name="warnUnknownTo"/> when set).</summary>
    public FailureRecorders(IReadOnlyDictionary<string, FailureRecorder> byServiceId, FailureRecorder stackWide, FunctionLog? warnUnknownTo)
    {
        _byServiceId = byServiceId;
        _stackWide = stackWide;
        _warnUnknownTo = warnUnknownTo;
    }

    /// <summary>One recorder for every service id, as a deployment without routes has always recorded.</summary>
    public static FailureRecorders ForEveryService(FailureRecorder recorder) => new(new Dictionary<string, FailureRecorder>(), recorder, warnUnknownTo: null);

    /// <summary>The recorder for <paramref name="serviceId"/>'s failures.</summary>
    public FailureRecorder For(string serviceId, string requestId)
    {
        if (_byServiceId.TryGetValue(serviceId, out var recorder))
        {
            return recorder;
        }

        _warnUnknownTo?.Warn(
            "failure of a service id that no route has: recorded with the stack-wide settings",
            new LogScope(requestId, serviceId),
            ("routes", string.Join(", ", _byServiceId.Keys)));
        return _stackWide;
    }
}
