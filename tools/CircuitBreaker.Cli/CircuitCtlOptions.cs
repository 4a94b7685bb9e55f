namespace CircuitBreaker.Cli;

/// <summary>What circuitctl was asked to do.</summary>
internal enum CircuitCtlAction
{
    /// <summary>Print the circuit's state.</summary>
    Status,

    /// <summary>Hold the circuit open until released.</summary>
    Isolate,

    /// <summary>Close the circuit now; earlier failures stop counting (also releases an isolated circuit).</summary>
    Close,

    /// <summary>List the circuit's deferred requests (whenOpen: defer).</summary>
    DeferredList,

    /// <summary>Ask the replayer to replay the circuit's deferred requests now.</summary>
    DeferredReplay,

    /// <summary>Delete one deferred request (--id) or all of them (--all).</summary>
    DeferredDrop,
}

/// <summary>The validated command line.</summary>
/// <param name="Action">The command.</param>
/// <param name="Table">The circuit table's name (<c>--table</c>).</param>
/// <param name="Region">The region to call and sign for (<c>--region</c>, else AWS_REGION / AWS_DEFAULT_REGION).</param>
/// <param name="EndpointUrl">DynamoDB's endpoint, e.g. the local host's (<c>--endpoint-url</c>); null for the regional one.</param>
/// <param name="ServiceId">The circuit (<c>--service</c>); null for the table's only one.</param>
/// <param name="EventBusName">The breaker's bus, for the state-change event (<c>--event-bus-name</c>); null to publish none.</param>
/// <param name="EventsEndpointUrl">EventBridge's endpoint (<c>--events-endpoint-url</c>, else AWS_ENDPOINT_URL_EVENTS); null for the regional one.</param>
/// <param name="Window">How far back <c>status</c> counts failures (<c>--window-seconds</c>).</param>
/// <param name="Reason">Why, for the state-change event (<c>--reason</c>).</param>
/// <param name="Create">Act on a circuit that has no item in the table yet (<c>--create</c>).</param>
/// <param name="Timeout">How long DynamoDB's calls may take in all, and EventBridge's (<c>--timeout-seconds</c>).</param>
internal sealed record CircuitCtlOptions(
    CircuitCtlAction Action,
    string Table,
    string Region,
    Uri? EndpointUrl,
    string? ServiceId,
    string? EventBusName,
    Uri? EventsEndpointUrl,
    TimeSpan Window,
    string? Reason,
    bool Create,
    TimeSpan Timeout)
{
    /// <summary>With <see cref="CircuitCtlAction.DeferredDrop"/>: the deferred request to drop.</summary>
    public string? DeferredId { get; init; }

    /// <summary>With <see cref="CircuitCtlAction.DeferredDrop"/>: drop every deferred request of the circuit.</summary>
    public bool AllDeferred { get; init; }
}
