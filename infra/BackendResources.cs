using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;
using CircuitBreaker.Infra.Monitoring;
using CircuitBreaker.Infra.Policies;
using Pulumi;
using Pulumi.Aws.CloudWatch;
using Pulumi.Aws.CloudWatch.Inputs;
using Pulumi.Aws.DynamoDB;
using Pulumi.Aws.DynamoDB.Inputs;
using Pulumi.Aws.Iam;
using Pulumi.Aws.Lambda;
using Pulumi.Aws.Lambda.Inputs;
using Pulumi.Aws.Sns;
using Pulumi.Aws.Sqs;

namespace CircuitBreaker.Infra;

/// <summary>
/// The breaker's backend, declared under one component: the table, the bus and its failure rule to the
/// recorder (with EventBridge's delivery retries and dead-letter queue), the recorder with its role and log group
/// and Lambda's asynchronous retries of its errors (then its own failure queue), and what an operator watches —
/// the circuit-opened alarms, an alarm on each of the two queues, the state-change rule, the alert topic they all
/// notify, and the dashboard. <see cref="CircuitBreakerComponentBase"/> declares it for both <see cref="CircuitBreakerComponent"/>
/// and <see cref="CircuitBreakerBackend"/>, under the same resource names, so the whole breaker's resources keep
/// their identity; the full component adds its webservice through <see cref="FunctionFor"/>.
/// </summary>
internal sealed class BackendResources
{
    /// <summary>The <c>TargetId</c> of the state-change rule's target.</summary>
    public const string AlertsTargetId = "alerts";

    // Fourteen days, SQS's longest retention: time to notice and replay a failure that was not recorded.
    private const int FailureQueueRetentionSeconds = 1209600;

    // How often SQS pushes a queue's metrics to CloudWatch is told as one minute or five; five minutes of Maximum
    // sees a waiting message at either cadence without gaps of missing data, and a waiting failure needs no faster
    // page. (SQS reports only active queues; "Available CloudWatch metrics for Amazon SQS".)
    private const int FailureQueueAlarmPeriodSeconds = 300;

    private readonly ChildResources _children;
    private readonly string _name;
    private readonly CircuitBreakerBackendArgs _args;

    public BackendResources(ChildResources children, string name, CircuitBreakerBackendArgs args)
    {
        ArgumentNullException.ThrowIfNull(children);
        ArgumentNullException.ThrowIfNull(args);
        _children = children;
        _name = name;
        _args = args;

        Table = new Table($"{name}-table", new TableArgs
        {
            Attributes =
            {
                new TableAttributeArgs { Name = CircuitTable.PartitionKey, Type = CircuitTable.KeyAttributeType },
                new TableAttributeArgs { Name = CircuitTable.SortKey, Type = CircuitTable.KeyAttributeType },
            },
            HashKey = CircuitTable.PartitionKey,
            RangeKey = CircuitTable.SortKey,
            BillingMode = "PAY_PER_REQUEST",
            Ttl = new TableTtlArgs { AttributeName = CircuitTable.TimeToLiveAttribute, Enabled = true },
            PointInTimeRecovery = new TablePointInTimeRecoveryArgs { Enabled = true },
        }, children.Options());

        Bus = new EventBus($"{name}-bus", new EventBusArgs
        {
            // Kept as first deployed so that an update leaves the bus alone; state changes travel on it too.
            Description = "Failure events of the circuit breaker's webservice",
        }, children.Options());

        var rule = new EventRule($"{name}-failures", new EventRuleArgs
        {
            EventBusName = Bus.Name,
            EventPattern = FailureEvents.EventPattern,
            Description = "Routes each downstream failure to the recorder",
        }, children.Options());

        // EventBridge's dead-letter queue: failure events Lambda never accepted (see the target below).
        DeadLetters = new Queue($"{name}-failures-dlq", new QueueArgs
        {
            MessageRetentionSeconds = FailureQueueRetentionSeconds,
        }, children.Options());

        var deadLetterPolicy = new QueuePolicy($"{name}-failures-dlq-policy", new QueuePolicyArgs
        {
            QueueUrl = DeadLetters.Url,
            Policy = Output.Tuple(DeadLetters.Arn, rule.Arn).Apply(arns => PolicyDocuments.DeadLetterQueue(arns.Item1, arns.Item2)),
        }, children.Options());

        // The recorder opens the circuits, so it needs each route's threshold, window and open period; it
        // publishes the transition it makes on the same bus.
        var (recorder, recorderRole) = DeclareFunction(
            HandlerNames.Recorder,
            "Records failure events and opens the circuit",
            args.RecorderTimeoutSeconds,
            PolicyDocuments.Recorder);
        Recorder = recorder;

        // Lambda's on-failure destination for the recorder: failure events it accepted and the recorder failed on,
        // after Lambda's retries. A queue of its own, apart from EventBridge's, so that each queue means one thing
        // and its alarm says which half of the delivery broke.
        RecorderFailures = new Queue($"{name}-{HandlerNames.Recorder}-failures", new QueueArgs
        {
            MessageRetentionSeconds = FailureQueueRetentionSeconds,
        }, children.Options());

        // Lambda sends the failed invocation's record with the recorder's own role, so that role (and nothing else)
        // may send to this one queue.
        var onFailureGrant = new RolePolicy($"{name}-{HandlerNames.Recorder}-on-failure-policy", new RolePolicyArgs
        {
            Role = recorderRole.Name,
            Policy = RecorderFailures.Arn.Apply(arn => PolicyDocuments.RecorderOnFailureDestination(arn)),
        }, children.Options());

        // EventBridge invokes the recorder asynchronously: from the moment Lambda accepts an event, a recorder error
        // (the table unreachable, a timeout) is retried by Lambda, not by EventBridge, and without a destination it
        // would be discarded after the retries. No qualifier: the unqualified function EventBridge invokes.
        // Lambda validates the destination's permission when this is put, so it waits for the grant (the provider
        // also retries while IAM propagates it).
        _ = new FunctionEventInvokeConfig($"{name}-{HandlerNames.Recorder}-async-invoke-config", new FunctionEventInvokeConfigArgs
        {
            FunctionName = Recorder.Name,
            MaximumRetryAttempts = RecorderRetries.MaximumRetryAttempts,
            MaximumEventAgeInSeconds = RecorderRetries.MaximumEventAgeSeconds,
            DestinationConfig = new FunctionEventInvokeConfigDestinationConfigArgs
            {
                OnFailure = new FunctionEventInvokeConfigDestinationConfigOnFailureArgs { Destination = RecorderFailures.Arn },
            },
        }, children.Options(onFailureGrant));

        var recorderInvoke = new Permission($"{name}-{HandlerNames.Recorder}-invoke", new PermissionArgs
        {
            Action = "lambda:InvokeFunction",
            Function = Recorder.Name,
            Principal = "events.amazonaws.com",
            SourceArn = rule.Arn,
        }, children.Options());

        // EventBridge's retry policy and dead-letter queue cover delivery only: Lambda not accepting the event
        // (throttling, a service error, the function or its permission missing). The recorder's own errors are
        // Lambda's to retry (above).
        _ = new EventTarget($"{name}-{HandlerNames.Recorder}-target", new EventTargetArgs
        {
            Rule = rule.Name,
            EventBusName = Bus.Name,
            TargetId = HandlerNames.Recorder,
            Arn = Recorder.Arn,
            RetryPolicy = new EventTargetRetryPolicyArgs
            {
                MaximumRetryAttempts = args.EventRetryAttempts,
                MaximumEventAgeInSeconds = args.EventMaxAgeSeconds,
            },
            DeadLetterConfig = new EventTargetDeadLetterConfigArgs { Arn = DeadLetters.Arn },
        }, children.Options(recorderInvoke, deadLetterPolicy));

        Alerts = new Topic($"{name}-alerts", new TopicArgs(), children.Options());

        // One alarm per circuit: the first keeps the name a one-route stack always had, so adding routes replaces nothing.
        var routes = args.Routes;
        var serviceIds = routes.ServiceIds;
        if (serviceIds.Count == 0)
        {
            throw new ArgumentException("The breaker needs at least one circuit to watch: routes, or a policy-only table with a service id.", nameof(args));
        }

        CircuitOpenedAlarms = serviceIds
            .Select((serviceId, index) => new MetricAlarm(
                index == 0 ? $"{name}-circuit-opened-alarm" : $"{name}-circuit-opened-alarm-{serviceId}",
                new MetricAlarmArgs
                {
                    Name = index == 0 ? $"{args.FunctionNamePrefix}-circuit-opened" : $"{args.FunctionNamePrefix}-circuit-opened-{serviceId}",
                    AlarmDescription = $"The circuit '{serviceId}' opened: calls to its downstream fail fast "
                        + "until a probe succeeds. The dashboard shows why; the state-change events say when it closes.",
                    Namespace = routes.MetricsNamespace,
                    MetricName = CircuitMetrics.CircuitOpened,
                    Dimensions = { { CircuitMetrics.ServiceIdDimension, serviceId } },
                    Statistic = "Sum",
                    Period = DashboardLayout.PeriodSeconds,
                    EvaluationPeriods = 1,
                    Threshold = 1d,
                    ComparisonOperator = "GreaterThanOrEqualToThreshold",
                    // No opening in a minute is no data, and no data is the healthy case.
                    TreatMissingData = "notBreaching",
                    AlarmActions = { Alerts.Arn },
                },
                children.Options()))
            .ToList();
        CircuitOpenedAlarm = CircuitOpenedAlarms[0];
        var alarmArns = Output.All(CircuitOpenedAlarms.Select(alarm => (Input<string>)alarm.Arn).ToArray());

        // A failure event in either queue was not recorded: someone must look, and replay it once the cause is fixed.
        FailureQueueAlarms =
        [
            QueueNotEmptyAlarm(
                "failures-dlq",
                DeadLetters,
                "Failure events EventBridge could not hand to the recorder (Lambda throttled, unavailable, or the "
                + "function or its permission missing) are waiting in the failure rule's dead-letter queue."),
            QueueNotEmptyAlarm(
                $"{HandlerNames.Recorder}-failures",
                RecorderFailures,
                "Failure events the recorder failed on (its store unreachable, its timeout) after Lambda's retries "
                + "are waiting in the recorder's on-failure queue; each record names the error."),
        ];
        // whenOpen: defer needs the replayer; a stack where no route defers declares none of it.
        if (args is CircuitBreakerArgs && Defers(args.Routes))
        {
            var replayerAlarm = DeclareReplayer();
            FailureQueueAlarms = [.. FailureQueueAlarms, replayerAlarm];
        }

        var notifyingAlarmArns = Output.All(
            CircuitOpenedAlarms.Concat(FailureQueueAlarms).Select(alarm => (Input<string>)alarm.Arn).ToArray());

        var stateChanges = new EventRule($"{name}-state-changes", new EventRuleArgs
        {
            EventBusName = Bus.Name,
            EventPattern = StateChangeEvents.EventPattern,
            Description = "Routes every circuit transition to the alert topic",
        }, children.Options());

        var alertsPolicy = new TopicPolicy($"{name}-alerts-policy", new TopicPolicyArgs
        {
            Arn = Alerts.Arn,
            Policy = Output.Tuple(Alerts.Arn, stateChanges.Arn, notifyingAlarmArns)
                .Apply(arns => PolicyDocuments.AlertTopic(arns.Item1, arns.Item2, arns.Item3)),
        }, children.Options());

        _ = new EventTarget($"{name}-state-changes-target", new EventTargetArgs
        {
            Rule = stateChanges.Name,
            EventBusName = Bus.Name,
            TargetId = AlertsTargetId,
            Arn = Alerts.Arn,
        }, children.Options(alertsPolicy));

        if (args.AlarmEmail is { } email)
        {
            // SNS mails the address a confirmation link; nothing is delivered until it is followed.
            _ = new TopicSubscription($"{name}-alerts-email", new TopicSubscriptionArgs
            {
                Topic = Alerts.Arn,
                Protocol = "email",
                Endpoint = email,
            }, children.Options());
        }

        var metricsNamespace = routes.MetricsNamespace;
        Dashboard = new Dashboard($"{name}-dashboard", new DashboardArgs
        {
            // The prefix is unique per stack and made of the characters dashboard names allow.
            DashboardName = args.FunctionNamePrefix,
            DashboardBody = Output.Tuple(Bus.Arn, alarmArns)
                .Apply(values => DashboardLayout.Build(ConsoleLinks.RegionOf(values.Item1), metricsNamespace, serviceIds.Zip(values.Item2).ToList())),
        }, children.Options());

        DashboardUrl = Output.Tuple(Bus.Arn, Dashboard.DashboardName)
            .Apply(values => ConsoleLinks.Dashboard(ConsoleLinks.RegionOf(values.Item1), values.Item2));
        LibraryAccessPolicy = Output.Tuple(Table.Arn, Bus.Arn)
            .Apply(arns => PolicyDocuments.LibraryAccess(arns.Item1, arns.Item2));
    }

    public Table Table { get; }

    public EventBus Bus { get; }

    /// <summary>EventBridge's dead-letter queue of the failure rule's target: events Lambda did not accept.</summary>
    public Queue DeadLetters { get; }

    public Function Recorder { get; }

    /// <summary>The recorder's on-failure destination: events Lambda accepted and the recorder failed on, after the retries.</summary>
    public Queue RecorderFailures { get; }

    public Topic Alerts { get; }

    /// <summary>The first circuit's alarm (the only one without routes).</summary>
    public MetricAlarm CircuitOpenedAlarm { get; }

    /// <summary>One circuit-opened alarm per route's service id, in route order.</summary>
    public IReadOnlyList<MetricAlarm> CircuitOpenedAlarms { get; }

    /// <summary>The replayer of deferred requests, when a route's <c>whenOpen</c> is <c>defer</c>; null otherwise.</summary>
    public Function? Replayer { get; private set; }

    /// <summary>The replayer's dead-letter queue: deferred requests that failed <c>deferMaxAttempts</c> replays.</summary>
    public Queue? ReplayerDeadLetters { get; private set; }

    /// <summary>
    /// One alarm per failure queue (<see cref="DeadLetters"/>, then <see cref="RecorderFailures"/>, then
    /// <see cref="ReplayerDeadLetters"/> when declared) that fires while it holds a message.
    /// </summary>
    public IReadOnlyList<MetricAlarm> FailureQueueAlarms { get; }

    public Dashboard Dashboard { get; }

    public Output<string> DashboardUrl { get; }

    /// <summary>The IAM policy document (JSON) a user's function needs to run the library against this backend.</summary>
    public Output<string> LibraryAccessPolicy { get; }

    /// <summary>True when a route (or the one route of a shorthand stack) answers an open circuit with <c>defer</c>.</summary>
    public static bool Defers(RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.Routes.Any(route => route.Circuit.Target.WhenOpen == WhenOpenMode.Defer)
            || (routes.Routes.Count == 0 && routes.StackWideOptions?.WhenOpen == WhenOpenMode.Defer);
    }

    /// <summary>Attaches <see cref="LibraryAccessPolicy"/> to the role named <paramref name="roleName"/> as an inline policy.</summary>
    public RolePolicy GrantLibraryAccess(string resourceName, Input<string> roleName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceName);
        ArgumentNullException.ThrowIfNull(roleName);
        return new RolePolicy(resourceName, new RolePolicyArgs
        {
            Role = roleName,
            Policy = LibraryAccessPolicy,
        }, _children.Options());
    }

    /// <summary>
    /// Declares one of the breaker's functions, named <c>&lt;prefix&gt;-&lt;handler&gt;</c>, with what each has
    /// of its own: a log group with the configured retention, a role only Lambda assumes, and an inline policy
    /// of exactly what <paramref name="policyDocument"/> grants on the table, the bus and that log group.
    /// Every function gets the routes' settings, the table and the bus as its environment.
    /// </summary>
    /// <param name="handler">The handler's name (<see cref="HandlerNames"/>), which also names the resources.</param>
    /// <param name="description">The function's description.</param>
    /// <param name="timeoutSeconds">The function's timeout.</param>
    /// <param name="policyDocument">The role's policy from the table's, the bus's and the log group's ARNs.</param>
    public Function FunctionFor(string handler, string description, int timeoutSeconds, Func<string, string, string, string> policyDocument) =>
        DeclareFunction(handler, description, timeoutSeconds, policyDocument).Function;

    /// <summary>As <see cref="FunctionFor"/>, with the function's role, for a function that needs a grant of its own beside the policy.</summary>
    private (Function Function, Role Role) DeclareFunction(
        string handler, string description, int timeoutSeconds, Func<string, string, string, string> policyDocument, Input<string>? deadLetterQueueUrl = null)
    {
        var functionName = FunctionNames.For(_args.FunctionNamePrefix, handler);
        var logs = _children.LogGroupFor(_name, handler, functionName, _args.LogRetentionDays);
        var role = _children.RoleFor(_name, handler);
        var policy = new RolePolicy($"{_name}-{handler}-policy", new RolePolicyArgs
        {
            Role = role.Name,
            Policy = Output.Tuple(Table.Arn, Bus.Arn, logs.Arn)
                .Apply(arns => policyDocument(arns.Item1, arns.Item2, arns.Item3)),
        }, _children.Options());

        var environment = _args.Environment();
        environment.Add(FunctionEnvironment.TableName, Table.Name);
        environment.Add(FunctionEnvironment.EventBusName, Bus.Name);
        if (deadLetterQueueUrl is not null)
        {
            environment.Add(FunctionEnvironment.DeadLetterQueueUrl, deadLetterQueueUrl);
        }

        var function = new Function($"{_name}-{handler}", new FunctionArgs
        {
            Name = functionName,
            Description = description,
            Role = role.Arn,
            Runtime = CircuitBreakerComponent.FunctionRuntime,
            Handler = handler,
            Architectures = { _args.Architecture.LambdaName() },
            Code = _args.Code,
            MemorySize = _args.MemorySizeMb,
            Timeout = timeoutSeconds,
            Environment = new FunctionEnvironmentArgs { Variables = environment },
            LoggingConfig = new FunctionLoggingConfigArgs { LogFormat = "JSON", LogGroup = logs.Name },
        }, _children.Options(policy, logs));
        return (function, role);
    }

    /// <summary>
    /// The replayer (docs/design.md, "Deferred writes"): the same artifact with its own handler, role and log group; its
    /// dead-letter queue, which only its role may send to; its rule on the bus for a state change to closed (and a replay
    /// request), with the invoke permission scoped to that rule. Returns the alarm on its dead-letter queue.
    /// </summary>
    private MetricAlarm DeclareReplayer()
    {
        var deadLetters = new Queue($"{_name}-{HandlerNames.Replayer}-dead-letter", new QueueArgs
        {
            MessageRetentionSeconds = FailureQueueRetentionSeconds,
        }, _children.Options());
        ReplayerDeadLetters = deadLetters;

        var (replayer, replayerRole) = DeclareFunction(
            HandlerNames.Replayer,
            "Replays deferred requests when their circuit closes",
            ReplayerDefaults.TimeoutSeconds,
            PolicyDocuments.Replayer,
            deadLetters.Url);
        Replayer = replayer;

        _ = new RolePolicy($"{_name}-{HandlerNames.Replayer}-dead-letter-policy", new RolePolicyArgs
        {
            Role = replayerRole.Name,
            Policy = deadLetters.Arn.Apply(arn => PolicyDocuments.ReplayerDeadLetterQueue(arn)),
        }, _children.Options());

        var rule = new EventRule($"{_name}-replay-on-close", new EventRuleArgs
        {
            EventBusName = Bus.Name,
            EventPattern = EventPatterns.ReplayOnClose,
            Description = "Routes each circuit's close (and each replay request) to the replayer of deferred requests",
        }, _children.Options());

        var invoke = new Permission($"{_name}-{HandlerNames.Replayer}-invoke", new PermissionArgs
        {
            Action = "lambda:InvokeFunction",
            Function = replayer.Name,
            Principal = "events.amazonaws.com",
            SourceArn = rule.Arn,
        }, _children.Options());

        // A close EventBridge could not deliver is not lost work: the deferred requests wait for the next close or
        // circuitctl deferred replay, so the target keeps EventBridge's default retries and needs no queue of its own.
        _ = new EventTarget($"{_name}-{HandlerNames.Replayer}-target", new EventTargetArgs
        {
            Rule = rule.Name,
            EventBusName = Bus.Name,
            TargetId = HandlerNames.Replayer,
            Arn = replayer.Arn,
        }, _children.Options(invoke));

        return QueueNotEmptyAlarm(
            $"{HandlerNames.Replayer}-dead-letter",
            deadLetters,
            "Deferred requests the replayer gave up on after deferMaxAttempts failed replays are waiting in its "
            + "dead-letter queue; each message holds the request (its body in base64) and its last error.");
    }

    /// <summary>
    /// An alarm, named <c>&lt;prefix&gt;-&lt;queueName&gt;-not-empty</c>, in ALARM while <paramref name="queue"/>
    /// holds a message, notifying the alert topic. An empty queue that SQS stops reporting is healthy.
    /// </summary>
    private MetricAlarm QueueNotEmptyAlarm(string queueName, Queue queue, string description) =>
        new($"{_name}-{queueName}-alarm", new MetricAlarmArgs
        {
            Name = $"{_args.FunctionNamePrefix}-{queueName}-not-empty",
            AlarmDescription = description,
            Namespace = "AWS/SQS",
            MetricName = "ApproximateNumberOfMessagesVisible",
            Dimensions = { { "QueueName", queue.Name } },
            Statistic = "Maximum",
            Period = FailureQueueAlarmPeriodSeconds,
            EvaluationPeriods = 1,
            Threshold = 0d,
            ComparisonOperator = "GreaterThanThreshold",
            TreatMissingData = "notBreaching",
            AlarmActions = { Alerts.Arn },
        }, _children.Options());
}
