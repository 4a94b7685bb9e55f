namespace CircuitBreaker.Core.Logging;

/// <summary>Severity of a log line, spelled as Lambda's JSON log format spells it.</summary>
public enum LogLevel
{
    /// <summary>Normal operation worth a line: a transition, a request summary.</summary>
    Info,

    /// <summary>A fault survived: a dependency failed and the request was still answered.</summary>
    Warn,

    /// <summary>A fault that cost a request its proper answer.</summary>
    Error,
}
