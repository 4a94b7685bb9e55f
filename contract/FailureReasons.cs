namespace CircuitBreaker.Contract;

/// <summary>Values of <see cref="FailureEventDetail.Reason"/>.</summary>
public static class FailureReasons
{
    /// <summary>The downstream did not answer within the timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The connection could not be made or broke.</summary>
    public const string ConnectionError = "connection-error";

    /// <summary>The downstream answered with a 5xx status that <see cref="CircuitSettingKeys.FailureStatusCodes"/> names.</summary>
    public const string ServerError = "server-error";

    /// <summary>The downstream answered 429 Too Many Requests: it sheds load.</summary>
    public const string ClientOverload = "client-overload";

    /// <summary>The downstream answered 408 Request Timeout: it gave up waiting for the request.</summary>
    public const string RequestTimeout = "request-timeout";

    /// <summary>The downstream answered with another status that <see cref="CircuitSettingKeys.FailureStatusCodes"/> names (a 4xx a route counts as failed).</summary>
    public const string FailureStatus = "failure-status";

    /// <summary>The call was still pending after <see cref="CircuitSettingKeys.SlowCallSeconds"/>; published then, not again when it ends.</summary>
    public const string Slow = "slow";

    /// <summary>
    /// The call threw an exception that says nothing more specific (from the Polly library, whose callers call
    /// anything, not only HTTP). Counted like every other reason.
    /// </summary>
    public const string Exception = "exception";

    /// <summary>True when <paramref name="reason"/> is one of the reasons above: the recorder refuses any other.</summary>
    public static bool IsKnown(string? reason) =>
        reason is Timeout or ConnectionError or ServerError or ClientOverload or RequestTimeout or FailureStatus or Slow or Exception;

    /// <summary>The reason of an answer with <paramref name="statusCode"/> that counts as a failure.</summary>
    public static string ForStatusCode(int statusCode) => statusCode switch
    {
        429 => ClientOverload,
        408 => RequestTimeout,
        >= 500 => ServerError,
        _ => FailureStatus,
    };
}
