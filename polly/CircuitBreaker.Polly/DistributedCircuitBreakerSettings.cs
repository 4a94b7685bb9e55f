using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using CircuitBreaker.Contract;
using Polly;

namespace CircuitBreaker.Polly;

/// <summary>
/// The settings of a distributed circuit that do not depend on the result type: its key, where it lives,
/// when it opens and for how long. <see cref="DistributedCircuitBreakerStrategyOptions{TResult}"/> adds what
/// counts as a failure and the callbacks. The names follow the stack's settings (<see cref="CircuitSettingKeys"/>).
/// </summary>
/// <remarks>
/// In the deployed breaker the stack's recorder opens the circuit, with the stack's own
/// <c>failureThreshold</c>, <c>windowSeconds</c>, <c>failureRatio</c> and <c>minimumThroughput</c>; set the
/// same values here. The options are validated when the strategy is added to a builder, like Polly's own.
/// </remarks>
public abstract class DistributedCircuitBreakerSettings : ResilienceStrategyOptions, IValidatableObject
{
    private const string LongestDuration = "365.00:00:00";

    // The range attributes on TimeSpan properties convert their bounds through TimeSpan's type converter,
    // which trimming keeps: the builder extensions preserve these options' members (see DynamicDependency there).
    private const string RangeOnTimeSpanJustification = "TimeSpan's converter is intrinsic and the options' members are preserved by the builder extensions.";

    /// <summary>
    /// The circuit's key: 1 to 200 characters of letters, digits and <c>. _ - :</c>. One table serves any number
    /// of circuits, one per protected dependency. Required.
    /// </summary>
    [Required]
    public string? ServiceId { get; set; }

    /// <summary>
    /// The breaker's DynamoDB table. Null (the default): the environment variable <c>TABLE_NAME</c>
    /// (<see cref="FunctionEnvironment.TableName"/>), as the stack sets it.
    /// </summary>
    public string? TableName { get; set; }

    /// <summary>
    /// The breaker's EventBridge bus, where failures are published. Null (the default): the environment variable
    /// <c>EVENT_BUS_NAME</c> (<see cref="FunctionEnvironment.EventBusName"/>).
    /// </summary>
    public string? EventBusName { get; set; }

    /// <summary>Count mode: failures within <see cref="Window"/> that open the circuit. Default 3.</summary>
    [Range(1, int.MaxValue)]
    public int FailureThreshold { get; set; } = CircuitPolicy.Default.FailureThreshold;

    /// <summary>
    /// Failure-ratio mode: the circuit opens when failures / calls within <see cref="Window"/> reach this ratio
    /// (0 &lt; ratio ≤ 1), once at least <see cref="MinimumThroughput"/> calls were made. Null (the default): count mode.
    /// </summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double? FailureRatio { get; set; }

    /// <summary>Failure-ratio mode: calls within <see cref="Window"/> before the ratio may open the circuit. Default 100.</summary>
    [Range(1, int.MaxValue)]
    public int MinimumThroughput { get; set; } = CircuitPolicy.Default.MinimumThroughput;

    /// <summary>How far back failures (and calls) count. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", LongestDuration, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RangeOnTimeSpanJustification)]
    public TimeSpan Window { get; set; } = CircuitPolicy.Default.Window;

    /// <summary>How long the circuit stays open before one probe may run. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", LongestDuration, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RangeOnTimeSpanJustification)]
    public TimeSpan OpenDuration { get; set; } = CircuitPolicy.Default.OpenDuration;

    /// <summary>
    /// The cap of the open period's backoff: each failed probe doubles the open period up to this.
    /// Null (the default): <see cref="OpenDuration"/>, i.e. no backoff. At least <see cref="OpenDuration"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", LongestDuration, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RangeOnTimeSpanJustification)]
    public TimeSpan? MaxOpenDuration { get; set; }

    /// <summary>
    /// A call still running after this long is reported failed (reason <see cref="FailureReasons.Slow"/>) at that
    /// moment, without waiting for it to end, and not reported again when it ends. Null (the default): off.
    /// Keep it below the timeout inside the breaker, or it never fires first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", LongestDuration, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RangeOnTimeSpanJustification)]
    public TimeSpan? SlowCallThreshold { get; set; }

    /// <summary>
    /// How long the half-open probe holds its lease: if the prober dies, another caller may probe after this.
    /// It must cover the longest the protected call can take, including the timeout inside the breaker. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", LongestDuration, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RangeOnTimeSpanJustification)]
    public TimeSpan ProbeLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the circuit's own store cannot be consulted: true (the default) runs the call without the breaker,
    /// false refuses it with a <see cref="global::Polly.CircuitBreaker.BrokenCircuitException"/>.
    /// </summary>
    public bool FailOpen { get; set; } = CircuitPolicy.Default.FailOpen;

    /// <summary>
    /// The status codes of an <see cref="HttpResponseMessage"/> result that count as failures (the default
    /// <c>ShouldHandle</c> and <see cref="CircuitFailure.Of"/> use them). Default: every 5xx, 408 and 429 (<c>500-599,408,429</c>),
    /// the transient answers Microsoft.Extensions.Http.Resilience's standard handler retries and breaks on; any other
    /// answer, a 404 say, is the caller's problem and counts as a successful call.
    /// </summary>
    [Required]
    public StatusCodeRanges FailureStatusCodes { get; set; } = CircuitPolicy.Default.FailureStatusCodes;

    /// <summary>
    /// The longest a dependency's <c>Retry-After</c> (on a 429 or a 503 that fails the probe) keeps the circuit open. Default 300 s.
    /// On the recorder's side (a failure that opens the circuit), the stack's <c>maxRetryAfterSeconds</c> applies.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", LongestDuration, MinimumIsExclusive = true)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RangeOnTimeSpanJustification)]
    public TimeSpan MaxRetryAfter { get; set; } = CircuitPolicy.Default.MaxRetryAfter;

    /// <summary>
    /// How long this process trusts a closed state it read without reading it again: a healthy circuit then costs one
    /// DynamoDB read per this age, not one per call. The trust ends at once when one of this process's own calls fails,
    /// times out or is reported slow, so its next call reads the state; an operator's isolate and a recorder's opening reach
    /// the process within this age. Zero reads the state for every call. Default 1 s, at most 60 s (the stack's
    /// <c>closedStateMaxAgeSeconds</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RangeOnTimeSpanJustification)]
    public TimeSpan ClosedStateMaxAge { get; set; } = CircuitPolicy.Default.ClosedStateMaxAge;

    /// <summary>The clock for the breaker's times. Null (the default): the pipeline builder's <c>TimeProvider</c>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// The circuit this strategy consults. Null (the default): a <see cref="DynamoDbDistributedCircuit"/> over the
    /// breaker's table and bus (<see cref="TableName"/>, <see cref="EventBusName"/>), built when the strategy is. Set it to share an <see cref="InMemoryDistributedCircuit"/>
    /// between pipelines of one process (tests, local runs) or to bring another backend.
    /// </summary>
    public IDistributedCircuit? Circuit { get; set; }

    /// <summary>The table name in effect: <see cref="TableName"/>, or else the environment's.</summary>
    internal string? EffectiveTableName => Blank(TableName) ? Environment.GetEnvironmentVariable(FunctionEnvironment.TableName) : TableName;

    /// <summary>The bus name in effect: <see cref="EventBusName"/>, or else the environment's.</summary>
    internal string? EffectiveEventBusName => Blank(EventBusName) ? Environment.GetEnvironmentVariable(FunctionEnvironment.EventBusName) : EventBusName;

    /// <summary>The open period's cap in effect.</summary>
    internal TimeSpan EffectiveMaxOpenDuration => MaxOpenDuration ?? OpenDuration;

    /// <summary>The breaker's policy these settings describe, as the core's rules take it.</summary>
    internal CircuitPolicy ToPolicy() => CircuitPolicy.Default with
    {
        FailureThreshold = FailureThreshold,
        FailureRatio = FailureRatio,
        MinimumThroughput = MinimumThroughput,
        Window = Window,
        OpenDuration = OpenDuration,
        MaxOpenDuration = EffectiveMaxOpenDuration,
        SlowCallThreshold = SlowCallThreshold,
        FailOpen = FailOpen,
        FailureStatusCodes = FailureStatusCodes,
        MaxRetryAfter = MaxRetryAfter,
        ClosedStateMaxAge = ClosedStateMaxAge,
    };

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (ServiceId is not null && !CircuitSettingsReader.IsValidServiceId(ServiceId))
        {
            yield return new ValidationResult(
                $"ServiceId is '{ServiceId}': expected {CircuitSettingKeys.ServiceId.ExpectedForm}.", [nameof(ServiceId)]);
        }

        if (MaxOpenDuration is { } maxOpen && maxOpen < OpenDuration)
        {
            yield return new ValidationResult(
                $"MaxOpenDuration is {Seconds(maxOpen)} s: the cap of the open period cannot be below OpenDuration ({Seconds(OpenDuration)} s).",
                [nameof(MaxOpenDuration)]);
        }

        if (Circuit is null)
        {
            if (Blank(EffectiveTableName))
            {
                yield return new ValidationResult(
                    $"TableName is required: set it, or the environment variable {FunctionEnvironment.TableName} (the stack's output tableName).",
                    [nameof(TableName)]);
            }

            if (Blank(EffectiveEventBusName))
            {
                yield return new ValidationResult(
                    $"EventBusName is required: set it, or the environment variable {FunctionEnvironment.EventBusName} (the stack's output eventBusName).",
                    [nameof(EventBusName)]);
            }

            if (Blank(Environment.GetEnvironmentVariable(FunctionEnvironment.Region)))
            {
                yield return new ValidationResult(
                    $"The environment variable {FunctionEnvironment.Region} is required: the region of the breaker's table and bus (Lambda sets it).",
                    [nameof(Circuit)]);
            }
        }
    }

    private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString(CultureInfo.InvariantCulture);
}
