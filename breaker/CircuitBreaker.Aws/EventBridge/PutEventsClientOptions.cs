namespace CircuitBreaker.Aws.EventBridge;

/// <summary>Where <see cref="PutEventsClient"/> puts events and how hard it tries.</summary>
internal sealed record PutEventsClientOptions
{
    /// <summary>EventBridge's endpoint; requests go to its root path.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The signing region's system name.</summary>
    public required string Region { get; init; }

    /// <summary>The bus every event is put on.</summary>
    public required string EventBusName { get; init; }

    /// <summary>Attempts per event, the first included.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The longest wait before the second attempt; each later attempt may wait twice as long.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>No wait between attempts is longer than this.</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(1);
}
