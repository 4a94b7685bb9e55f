namespace CircuitBreaker.Local.EventBridge;

/// <summary>
/// The local bus's identity and its targets' retry policy. EventBridge retries delivering an event to a target that
/// did not take it (for a Lambda target: the Lambda service refused the invocation, as when throttled or unavailable;
/// a function error is Lambda's to retry) with exponential backoff and jitter, until the target's
/// <c>MaximumRetryAttempts</c> or <c>MaximumEventAgeInSeconds</c> is reached, then sends it to the target's dead-letter
/// queue (EventBridge User Guide, "Event retry policy and using dead-letter queues",
/// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html and eb-rule-dlq.html). The
/// defaults are the stack's target policy (8 retries within 1 h, <c>infra/InfraDefaults</c>) with hours read as
/// minutes, as the local host scales time; EventBridge does not document its backoff's steps, so they are ours.
/// </summary>
/// <param name="BusName">The custom bus that rules are on; PutEvents to other buses (but <c>default</c>) fails per entry.</param>
/// <param name="Region">Region of envelopes and ARNs.</param>
/// <param name="AccountId">Account of envelopes and ARNs.</param>
/// <param name="MaximumRetryAttempts">Retries of a refused delivery (default 8, the stack's).</param>
/// <param name="MaximumEventAge">How long a delivery is retried (default 60 s: the stack's 1 h).</param>
/// <param name="FirstRetryDelay">Backoff before the first retry (default 0.5 s); it doubles per retry up to <paramref name="MaxRetryDelay"/>,
/// and each wait is drawn between half the backoff and all of it (jitter).</param>
/// <param name="MaxRetryDelay">Longest backoff (default 10 s).</param>
/// <param name="DeliveryLatency">How long each matched event waits before its first delivery (default none): EventBridge
/// takes time from PutEvents to the target's invocation, and the bench runs with the latency AWS published for it
/// (docs/design.md, "What the local host emulates").</param>
internal sealed record LocalEventBridgeOptions(
    string BusName,
    string Region = "us-east-1",
    string AccountId = "000000000000",
    int MaximumRetryAttempts = 8,
    TimeSpan? MaximumEventAge = null,
    TimeSpan? FirstRetryDelay = null,
    TimeSpan? MaxRetryDelay = null,
    TimeSpan DeliveryLatency = default)
{
    /// <summary><see cref="MaximumEventAge"/> or 60 s.</summary>
    public TimeSpan EffectiveMaximumEventAge => MaximumEventAge ?? TimeSpan.FromSeconds(60);

    /// <summary><see cref="FirstRetryDelay"/> or 0.5 s.</summary>
    public TimeSpan EffectiveFirstRetryDelay => FirstRetryDelay ?? TimeSpan.FromMilliseconds(500);

    /// <summary><see cref="MaxRetryDelay"/> or 10 s.</summary>
    public TimeSpan EffectiveMaxRetryDelay => MaxRetryDelay ?? TimeSpan.FromSeconds(10);

    /// <summary>The bus's ARN, which PutEvents also accepts as EventBusName.</summary>
    public string BusArn => $"arn:aws:events:{Region}:{AccountId}:event-bus/{BusName}";
}
