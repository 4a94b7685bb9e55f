using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Local.Dynalite;

namespace CircuitBreaker.Bench.Stack;

/// <summary>
/// Our breaker in one mode: the functions' own handlers, gate, recorder and DynamoDB store, as the bootstrap
/// composes them from the mode's settings.
/// </summary>
internal sealed class OursVariant(string name, string label, Func<CircuitSettings, CircuitSettings> mode) : BreakerVariant
{
    public override string Name => name;

    public override string Label => label;

    public override Report.AdmissionDesign Design => Report.AdmissionDesign.OpenThenSingleProbe;

    public override CircuitSettings Configure(CircuitSettings common) => mode(common);

    /// <summary>Count mode, no slow calls, no backoff: the defaults.</summary>
    public static OursVariant Count() => new("ours-count", "ours, count", s => s);

    /// <summary>Slow calls are failures after a fifth of the timeout.</summary>
    public static OursVariant SlowCalls() => new("ours-slow", "ours, slow calls", s => s with { Policy = s.Policy with { SlowCallThreshold = s.Target.DownstreamTimeout / 5 } });

    /// <summary>Each failed probe doubles the open period, up to 8 open periods.</summary>
    public static OursVariant Backoff() => new("ours-backoff", "ours, backoff", s => s with { Policy = s.Policy with { MaxOpenDuration = s.Policy.OpenDuration * 8 } });

    /// <summary>Slow calls and backoff together.</summary>
    public static OursVariant SlowCallsAndBackoff() =>
        new("ours-slow-backoff", "ours, slow + backoff", s => s with { Policy = s.Policy with { SlowCallThreshold = s.Target.DownstreamTimeout / 5, MaxOpenDuration = s.Policy.OpenDuration * 8 } });

    /// <summary>Failure-ratio mode as Polly's defaults set it: 10 % of at least 100 calls within the window.</summary>
    public static OursVariant Ratio() => new("ours-ratio", "ours, ratio 0.1", s => s with { Policy = s.Policy with { FailureRatio = 0.1, MinimumThroughput = 100 } });

    /// <summary>
    /// This mode with <c>closedStateMaxAgeSeconds</c> set to <paramref name="age"/>: 0 reads the state for every request, as
    /// the breaker did before the setting existed, so one build runs "before" and "after" side by side.
    /// </summary>
    public OursVariant WithClosedStateMaxAge(TimeSpan age)
    {
        var seconds = SettingValues.Seconds(age);
        return new($"{name}-age{seconds}", $"{label}, closed trusted {seconds} s", s =>
        {
            var configured = mode(s);
            return configured with { Policy = configured.Policy with { ClosedStateMaxAge = age } };
        });
    }

    // Decisions read the base table with strongly consistent reads.
    public override double ReadUnitsPerRead => 1;

    public override double WriteUnitsPerWrite => 1;

    public override Task ProvisionAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken) =>
        new CircuitTableProvisioner().CreateAsync(client, tableName, cancellationToken);

    public override FunctionInstance CreateInstance(Func<string, string?> environment, TimeProvider time, FunctionLog log) =>
        FunctionInstance.Create(environment, time, log);

    public override async Task<string> ReadStateAsync(
        IAmazonDynamoDB client, string tableName, CircuitSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var record = await new DynamoDbCircuitStore(client, tableName)
            .GetAsync(settings.ServiceId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return record.Status switch
        {
            CircuitStatus.Open when record.OpenUntil > now => "open",
            CircuitStatus.Open => "open (probe due)",
            CircuitStatus.HalfOpen => "half-open",
            _ => "closed",
        };
    }
}
