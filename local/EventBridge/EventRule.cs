using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.EventBridge;

/// <summary>A rule on the local bus: events matching <paramref name="Pattern"/> go to <paramref name="Target"/>.</summary>
/// <param name="Name">The rule's name, for logs.</param>
/// <param name="Pattern">The rule's event pattern.</param>
/// <param name="Target">Delivers one envelope (UTF-8 JSON); true when the target accepted it, false or an exception to retry.</param>
internal sealed record EventRule(string Name, EventPatternMatcher Pattern, Func<byte[], CancellationToken, Task<bool>> Target);
