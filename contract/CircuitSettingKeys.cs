namespace CircuitBreaker.Contract;

/// <summary>Every setting of <see cref="CircuitSettings"/>, each with its names and default.</summary>
public static class CircuitSettingKeys
{
    /// <summary>Absolute http(s) URL of the protected downstream. Required.</summary>
    public static readonly CircuitSetting DownstreamUrl =
        new("downstreamUrl", "DOWNSTREAM_URL", null, "an absolute http or https URL");

    /// <summary>How long a downstream call may take before it counts as failed.</summary>
    public static readonly CircuitSetting DownstreamTimeoutSeconds =
        new("downstreamTimeoutSeconds", "DOWNSTREAM_TIMEOUT_SECONDS", "10", "a positive number of seconds, fractions allowed");

    /// <summary>Failures within the window that open the circuit.</summary>
    public static readonly CircuitSetting FailureThreshold =
        new("failureThreshold", "FAILURE_THRESHOLD", "3", "a whole number of at least 1");

    /// <summary>How far back failures count.</summary>
    public static readonly CircuitSetting WindowSeconds =
        new("windowSeconds", "WINDOW_SECONDS", "60", "a positive number of seconds, fractions allowed");

    /// <summary>How long the circuit stays open before one probe may run.</summary>
    public static readonly CircuitSetting OpenSeconds =
        new("openSeconds", "OPEN_SECONDS", "60", "a positive number of seconds, fractions allowed");

    /// <summary>Whether to call the downstream when the breaker's own store is unreachable.</summary>
    public static readonly CircuitSetting FailOpen =
        new("failOpen", "FAIL_OPEN", "true", "true or false");

    /// <summary>The circuit's key; defaults to the downstream URL's host.</summary>
    public static readonly CircuitSetting ServiceId =
        new("serviceId", "SERVICE_ID", null, "1 to 200 characters of letters, digits and . _ - :");

    /// <summary>
    /// Failure-ratio mode: the circuit opens when failures / calls within the window reach this ratio
    /// (and at least <see cref="MinimumThroughput"/> calls were made). Unset: count mode (<see cref="FailureThreshold"/>).
    /// </summary>
    public static readonly CircuitSetting FailureRatio =
        new("failureRatio", "FAILURE_RATIO", null, "a number greater than 0 and at most 1, e.g. 0.5");

    /// <summary>In failure-ratio mode, the calls within the window before the ratio may open the circuit.</summary>
    public static readonly CircuitSetting MinimumThroughput =
        new("minimumThroughput", "MINIMUM_THROUGHPUT", "100", "a whole number of at least 1");

    /// <summary>A call still pending after this long is published as failed (reason slow) without waiting for the timeout. Unset: off.</summary>
    public static readonly CircuitSetting SlowCallSeconds =
        new("slowCallSeconds", "SLOW_CALL_SECONDS", null, "a positive number of seconds below downstreamTimeoutSeconds");

    /// <summary>The longest open period: each failed probe doubles the open period up to this. Default: openSeconds (no backoff).</summary>
    public static readonly CircuitSetting MaxOpenSeconds =
        new("maxOpenSeconds", "MAX_OPEN_SECONDS", null, "a number of seconds of at least openSeconds");

    /// <summary>The CloudWatch namespace of the metrics the functions write in Embedded Metric Format.</summary>
    public static readonly CircuitSetting MetricsNamespace =
        new("metricsNamespace", "METRICS_NAMESPACE", "CircuitBreaker", "1 to 255 characters of letters, digits and . - _ / # : (not starting with AWS/)");

    /// <summary>
    /// Whether the relay tells the downstream who the client is (<c>Forwarded</c>, <c>X-Forwarded-For</c>, <c>-Host</c>,
    /// <c>-Proto</c>, from API Gateway's request context). Off: the client's own such headers are dropped and none are added.
    /// </summary>
    public static readonly CircuitSetting ForwardedHeaders =
        new("forwardedHeaders", "FORWARDED_HEADERS", "false", "true or false");

    /// <summary>Client headers the relay keeps from the downstream, besides those it never relays.</summary>
    public static readonly CircuitSetting RequestHeadersToDrop =
        new("requestHeadersToDrop", "REQUEST_HEADERS_TO_DROP", null, HeaderListForm);

    /// <summary>Downstream response headers the relay keeps from the client, besides those it never relays.</summary>
    public static readonly CircuitSetting ResponseHeadersToDrop =
        new("responseHeadersToDrop", "RESPONSE_HEADERS_TO_DROP", null, HeaderListForm);

    /// <summary>When set, the only client headers relayed (an allow-list); unset, every end-to-end header is.</summary>
    public static readonly CircuitSetting RequestHeadersAllowed =
        new("requestHeadersAllowed", "REQUEST_HEADERS_ALLOWED", null, HeaderListForm);

    /// <summary>Whether a path may hold an encoded slash (<c>%2F</c>), relayed as sent and never decoded for matching.</summary>
    public static readonly CircuitSetting AllowEncodedSlash =
        new("allowEncodedSlash", "ALLOW_ENCODED_SLASH", "false", "true or false");

    /// <summary>
    /// The downstream's answers that count as failures, by status code: codes and ranges separated by commas. Any other
    /// answer is a successful call (in ratio mode it counts as one), whatever its status: a 404 is the client's problem.
    /// </summary>
    public static readonly CircuitSetting FailureStatusCodes =
        new("failureStatusCodes", "FAILURE_STATUS_CODES", "500-599,408,429", "status codes and ranges from 100 to 599 separated by commas, e.g. 500-599,408,429");

    /// <summary>
    /// The longest a downstream's <c>Retry-After</c> (on a 429 or a 503 that opens the circuit, or fails a probe) keeps the
    /// circuit open: a longer one is cut to this.
    /// </summary>
    public static readonly CircuitSetting MaxRetryAfterSeconds =
        new("maxRetryAfterSeconds", "MAX_RETRY_AFTER_SECONDS", "300", "a positive number of seconds, fractions allowed");

    /// <summary>
    /// How long an instance that has read the circuit closed trusts that without reading it again; it stops trusting it at
    /// once when one of its own calls fails, times out or is reported slow. 0: the state is read for every call.
    /// </summary>
    public static readonly CircuitSetting ClosedStateMaxAgeSeconds =
        new("closedStateMaxAgeSeconds", "CLOSED_STATE_MAX_AGE_SECONDS", "1", "a number of seconds from 0 to 60, fractions allowed (0 reads the state for every call)");

    /// <summary>
    /// What a route answers when the circuit will not let a call through (open, half-open while another request probes,
    /// isolated): <c>reject</c> (503), <c>stale</c>, <c>defer</c> or <c>static</c> (<see cref="WhenOpenMode"/>).
    /// </summary>
    public static readonly CircuitSetting WhenOpen =
        new("whenOpen", "WHEN_OPEN", "reject", "one of reject, stale, defer, static");

    /// <summary>
    /// <c>whenOpen: stale</c>: how long after it was stored a successful answer may still be served in place of a refusal
    /// (and how long its item lives in the table).
    /// </summary>
    public static readonly CircuitSetting StaleSeconds =
        new("staleSeconds", "STALE_SECONDS", "3600", "a positive number of seconds, fractions allowed");

    /// <summary>
    /// <c>whenOpen: stale</c>: an instance stores the answer to the same request at most once per this many seconds, so a
    /// busy GET does not write per request. At most <see cref="StaleSeconds"/>.
    /// </summary>
    public static readonly CircuitSetting StaleRefreshSeconds =
        new("staleRefreshSeconds", "STALE_REFRESH_SECONDS", "60", "a positive number of seconds, at most staleSeconds");

    /// <summary><c>whenOpen: static</c>: the status answered while the circuit is open or isolated.</summary>
    public static readonly CircuitSetting StaticStatus =
        new("staticStatus", "STATIC_STATUS", "503", "a status code from 200 to 599");

    /// <summary><c>whenOpen: static</c>: the answer's Content-Type.</summary>
    public static readonly CircuitSetting StaticContentType =
        new("staticContentType", "STATIC_CONTENT_TYPE", "application/json", "a media type such as application/json or text/html; charset=utf-8");

    /// <summary><c>whenOpen: static</c>: the answer's body, as text.</summary>
    public static readonly CircuitSetting StaticBody =
        new("staticBody", "STATIC_BODY", StaticBodyDefault, $"text of at most {MaxStaticBodyBytes} bytes (UTF-8)");

    /// <summary>The most UTF-8 bytes <see cref="StaticBody"/> may hold: it travels in the functions' 4 KB environment.</summary>
    public const int MaxStaticBodyBytes = 2048;

    private const string StaticBodyDefault = "{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\"The service is unavailable at the moment; try again later.\"}";

    /// <summary>With <c>whenOpen: defer</c>, the methods whose requests are stored and replayed; any other is rejected (503).</summary>
    public static readonly CircuitSetting DeferMethods =
        new("deferMethods", "DEFER_METHODS", "POST,PUT,PATCH,DELETE", "HTTP methods separated by commas, e.g. POST,PUT");

    /// <summary>
    /// With <c>whenOpen: defer</c>, the largest body stored; a larger request is rejected (503) as without defer. At most
    /// <see cref="DeferLimits.MaxBodyBytes"/>, so that the item stays within DynamoDB's 400 KB.
    /// </summary>
    public static readonly CircuitSetting DeferMaxBodyBytes =
        new("deferMaxBodyBytes", "DEFER_MAX_BODY_BYTES", "262144", "a whole number of bytes from 1 to 307200");

    /// <summary>How long a deferred request is kept for its replay (the item's time to live).</summary>
    public static readonly CircuitSetting DeferSeconds =
        new("deferSeconds", "DEFER_SECONDS", "86400", "a positive number of seconds, fractions allowed");

    /// <summary>Failed replays of one deferred request before it goes to the dead-letter queue.</summary>
    public static readonly CircuitSetting DeferMaxAttempts =
        new("deferMaxAttempts", "DEFER_MAX_ATTEMPTS", "5", "a whole number of at least 1");

    /// <summary>The most deferred requests the replayer sends per second, per circuit.</summary>
    public static readonly CircuitSetting DeferReplayPerSecond =
        new("deferReplayPerSecond", "DEFER_REPLAY_PER_SECOND", "10", "a positive number, fractions allowed");

    /// <summary>All settings, in the order they are documented.</summary>
    public static IReadOnlyList<CircuitSetting> All { get; } =
    [
        DownstreamUrl, DownstreamTimeoutSeconds, FailureThreshold, WindowSeconds, OpenSeconds, FailOpen, ServiceId,
        FailureRatio, MinimumThroughput, SlowCallSeconds, MaxOpenSeconds, MetricsNamespace,
        ForwardedHeaders, RequestHeadersToDrop, ResponseHeadersToDrop, RequestHeadersAllowed, AllowEncodedSlash,
        FailureStatusCodes, MaxRetryAfterSeconds, WhenOpen, ClosedStateMaxAgeSeconds,
        StaleSeconds, StaleRefreshSeconds, StaticStatus, StaticContentType, StaticBody,
        DeferMethods, DeferMaxBodyBytes, DeferSeconds, DeferMaxAttempts, DeferReplayPerSecond,
    ];

    /// <summary>
    /// The settings of a route's target: where its calls go and what the relay passes on. The others (but
    /// <see cref="ServiceId"/>, the circuit's key) are the breaker's policy, which a circuit without a target (a
    /// library user's, a backend-only stack's) has too.
    /// </summary>
    public static IReadOnlyList<CircuitSetting> Target { get; } =
    [
        DownstreamUrl, DownstreamTimeoutSeconds, ForwardedHeaders, RequestHeadersToDrop, ResponseHeadersToDrop, RequestHeadersAllowed, AllowEncodedSlash,
        WhenOpen,
        StaleSeconds, StaleRefreshSeconds, StaticStatus, StaticContentType, StaticBody,
        DeferMethods, DeferMaxBodyBytes, DeferSeconds, DeferMaxAttempts, DeferReplayPerSecond,
    ];

    private const string HeaderListForm = "header names separated by commas, e.g. x-internal-token,x-debug";
}
