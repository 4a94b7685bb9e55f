namespace CircuitBreaker.Local.EventBridge;

/// <summary>The local bus's identity and its delivery retry policy.</summary>
/// <param name="BusName">The custom bus that rules are on; PutEvents to other buses (but <c>default</c>) fails per entry.</param>
/// <param name="Region">Region of envelopes and ARNs.</param>
/// <param name="AccountId">Account of envelopes and ARNs.</param>
/// <param name="MaxDeliveryAttempts">Attempts per event and rule before it is dropped (EventBridge's default policy is 185 over 24 h; locally fewer).</param>
/// <param name="FirstRetryDelay">Delay before the first retry; it doubles per attempt up to <paramref name="MaxRetryDelay"/>.</param>
/// <param name="MaxRetryDelay">Longest delay between attempts.</param>
internal sealed record LocalEventBridgeOptions(
    string BusName,
    string Region = "us-east-1",
    string AccountId = "000000000000",
    int MaxDeliveryAttempts = 8,
    TimeSpan? FirstRetryDelay = null,
    TimeSpan? MaxRetryDelay = null)
{
    /// <summary><see cref="FirstRetryDelay"/> or 0.5 s.</summary>
    public TimeSpan EffectiveFirstRetryDelay => FirstRetryDelay ?? TimeSpan.FromMilliseconds(500);

    /// <summary><see cref="MaxRetryDelay"/> or 30 s.</summary>
    public TimeSpan EffectiveMaxRetryDelay => MaxRetryDelay ?? TimeSpan.FromSeconds(30);

    /// <summary>The bus's ARN, which PutEvents also accepts as EventBusName.</summary>
    public string BusArn => $"arn:aws:events:{Region}:{AccountId}:event-bus/{BusName}";
}
