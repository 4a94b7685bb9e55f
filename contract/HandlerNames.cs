namespace CircuitBreaker.Contract;

/// <summary>
/// The values of the functions' handler setting. Lambda passes it to the custom runtime as
/// <c>_HANDLER</c>; the one <c>bootstrap</c> executable picks its handler by it.
/// </summary>
public static class HandlerNames
{
    /// <summary>The function behind the HTTP API that calls the downstream through the breaker.</summary>
    public const string Webservice = "webservice";

    /// <summary>The function that EventBridge invokes with each failure event, recording it in DynamoDB.</summary>
    public const string Recorder = "recorder";

    /// <summary>
    /// The function the replayer rule invokes when a circuit closes (or a replay is asked for): it replays the circuit's
    /// deferred requests (<see cref="WhenOpenMode.Defer"/>).
    /// </summary>
    public const string Replayer = "replayer";
}
