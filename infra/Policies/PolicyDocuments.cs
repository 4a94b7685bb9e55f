using System.Text;
using System.Text.Json;

namespace CircuitBreaker.Infra.Policies;

/// <summary>
/// The IAM policy documents of the stack, as JSON strings built from resolved ARNs: each statement
/// names its exact actions and exact resources; the only wildcard is the log-stream part of a
/// function's own log group, whose stream names Lambda invents at run time.
/// </summary>
public static class PolicyDocuments
{
    private const string Version = "2012-10-17";

    /// <summary>Actions the webservice needs on the table: read the circuit's state, write transitions and the probe lease.</summary>
    public static IReadOnlyList<string> WebserviceTableActions { get; } = ["dynamodb:GetItem", "dynamodb:UpdateItem"];

    /// <summary>Actions the recorder needs on the table: store a failure, count the window, open the circuit.</summary>
    public static IReadOnlyList<string> RecorderTableActions { get; } =
        ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"];

    /// <summary>
    /// The webservice's table actions when a route defers: besides <see cref="WebserviceTableActions"/>, <c>PutItem</c> to
    /// store a deferred request (a new item; it never overwrites one).
    /// </summary>
    public static IReadOnlyList<string> DeferringWebserviceTableActions { get; } = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"];

    /// <summary>
    /// Actions the replayer needs on the table: read the circuit's state and write its transitions (the same gate as the
    /// webservice), list the deferred requests, claim and release them, record their failures, delete them once answered.
    /// </summary>
    public static IReadOnlyList<string> ReplayerTableActions { get; } =
        ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:DeleteItem"];

    /// <summary>
    /// Actions on the bus: the webservice publishes failures and state changes, the recorder state
    /// changes, a library user's function both — nothing else, on this bus only.
    /// </summary>
    public static IReadOnlyList<string> BusActions { get; } = ["events:PutEvents"];

    /// <summary>Actions the webservice needs on the bus.</summary>
    public static IReadOnlyList<string> WebserviceBusActions => BusActions;

    /// <summary>Actions the recorder needs on the bus: it publishes the state changes it makes (the circuit opening).</summary>
    public static IReadOnlyList<string> RecorderBusActions => BusActions;

    /// <summary>
    /// Actions a function that embeds the library needs on the table: the same as the webservice's (the
    /// webservice runs the same gate), i.e. read the state, write transitions, the probe lease and, in
    /// failure-ratio mode, the call counter. Failures reach the table through the bus and the recorder,
    /// so the function neither stores nor queries failure items.
    /// </summary>
    public static IReadOnlyList<string> LibraryTableActions => WebserviceTableActions;

    /// <summary>Actions a function that embeds the library needs on the bus.</summary>
    public static IReadOnlyList<string> LibraryBusActions => BusActions;

    /// <summary>The one action a notifier (EventBridge for the rule, CloudWatch for the alarm) gets on the alert topic.</summary>
    public const string TopicPublishAction = "sns:Publish";

    /// <summary>
    /// The one action a sender needs on a queue: EventBridge on the failure rule's dead-letter queue, the recorder's
    /// role on its on-failure destination (Lambda sends the record of a failed asynchronous invocation with the
    /// function's own execution role; Lambda Developer Guide, "Capturing records of Lambda asynchronous invocations").
    /// </summary>
    public const string QueueSendAction = "sqs:SendMessage";

    /// <summary>What Lambda's basic execution role grants, limited to one log group.</summary>
    public static IReadOnlyList<string> LogActions { get; } = ["logs:CreateLogStream", "logs:PutLogEvents"];

    /// <summary>Lets Lambda assume a function's role.</summary>
    public static string LambdaAssumeRole() =>
        Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("Effect", "Allow");
            writer.WriteStartObject("Principal");
            writer.WriteString("Service", "lambda.amazonaws.com");
            writer.WriteEndObject();
            writer.WriteString("Action", "sts:AssumeRole");
            writer.WriteEndObject();
        });

    /// <summary>The webservice's permissions.</summary>
    public static string Webservice(string tableArn, string eventBusArn, string logGroupArn) =>
        Allow(
            (WebserviceTableActions, [tableArn]),
            (WebserviceBusActions, [eventBusArn]),
            (LogActions, [LogStreamsOf(logGroupArn)]));

    /// <summary>The webservice's permissions when a route defers: it also stores deferred requests.</summary>
    public static string DeferringWebservice(string tableArn, string eventBusArn, string logGroupArn) =>
        Allow(
            (DeferringWebserviceTableActions, [tableArn]),
            (WebserviceBusActions, [eventBusArn]),
            (LogActions, [LogStreamsOf(logGroupArn)]));

    /// <summary>
    /// The replayer's permissions: the table, the bus (it publishes the failures of replayed requests, the transitions
    /// it makes and its resume requests) and its log group. Its dead-letter queue is <see cref="ReplayerDeadLetterQueue"/>.
    /// </summary>
    public static string Replayer(string tableArn, string eventBusArn, string logGroupArn) =>
        Allow(
            (ReplayerTableActions, [tableArn]),
            (BusActions, [eventBusArn]),
            (LogActions, [LogStreamsOf(logGroupArn)]));

    /// <summary>What the replayer's role needs beyond <see cref="Replayer"/>: to send to exactly its dead-letter queue.</summary>
    public static string ReplayerDeadLetterQueue(string queueArn) =>
        Allow(([QueueSendAction], [queueArn]));

    /// <summary>The recorder's permissions.</summary>
    public static string Recorder(string tableArn, string eventBusArn, string logGroupArn) =>
        Allow(
            (RecorderTableActions, [tableArn]),
            (RecorderBusActions, [eventBusArn]),
            (LogActions, [LogStreamsOf(logGroupArn)]));

    /// <summary>
    /// What the recorder's role needs beyond <see cref="Recorder"/>: to send, to exactly one queue, the record of a
    /// failure event that failed every attempt (its on-failure destination). Lambda checks this permission when the
    /// destination is configured.
    /// </summary>
    public static string RecorderOnFailureDestination(string queueArn) =>
        Allow(([QueueSendAction], [queueArn]));

    /// <summary>
    /// What a user's function needs to run the library against this backend: the table and the bus,
    /// exact actions on exact ARNs. Attach it to the function's role (or use the component's
    /// <c>GrantLibraryAccess</c>); the function's own logging permissions are the user's.
    /// </summary>
    public static string LibraryAccess(string tableArn, string eventBusArn) =>
        Allow(
            (LibraryTableActions, [tableArn]),
            (LibraryBusActions, [eventBusArn]));

    /// <summary>
    /// Lets exactly two senders publish to the alert topic: the state-change rule (through EventBridge)
    /// and the circuit-opened alarm (through CloudWatch), each pinned by its ARN.
    /// </summary>
    public static string AlertTopic(string topicArn, string stateChangeRuleArn, string alarmArn) =>
        AlertTopic(topicArn, stateChangeRuleArn, [alarmArn]);

    /// <summary>The alert topic's policy with one circuit-opened alarm per route.</summary>
    public static string AlertTopic(string topicArn, string stateChangeRuleArn, IEnumerable<string> alarmArns) =>
        Write(writer =>
        {
            WriteServiceGrant(writer, "events.amazonaws.com", TopicPublishAction, topicArn, stateChangeRuleArn);
            foreach (var alarmArn in alarmArns)
            {
                WriteServiceGrant(writer, "cloudwatch.amazonaws.com", TopicPublishAction, topicArn, alarmArn);
            }
        });

    /// <summary>Lets EventBridge put undeliverable events of one rule on the dead-letter queue.</summary>
    public static string DeadLetterQueue(string queueArn, string ruleArn) =>
        Write(writer => WriteServiceGrant(writer, "events.amazonaws.com", QueueSendAction, queueArn, ruleArn));

    /// <summary>The log streams of one log group (CloudWatch Logs authorizes PutLogEvents on the stream).</summary>
    public static string LogStreamsOf(string logGroupArn) => logGroupArn + ":*";

    // One statement: an AWS service may do one action on one resource, only on behalf of one source ARN.
    private static void WriteServiceGrant(Utf8JsonWriter writer, string servicePrincipal, string action, string resourceArn, string sourceArn)
    {
        writer.WriteStartObject();
        writer.WriteString("Effect", "Allow");
        writer.WriteStartObject("Principal");
        writer.WriteString("Service", servicePrincipal);
        writer.WriteEndObject();
        writer.WriteString("Action", action);
        writer.WriteString("Resource", resourceArn);
        writer.WriteStartObject("Condition");
        writer.WriteStartObject("ArnEquals");
        writer.WriteString("aws:SourceArn", sourceArn);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string Allow(params (IReadOnlyList<string> Actions, string[] Resources)[] statements) =>
        Write(writer =>
        {
            foreach (var (actions, resources) in statements)
            {
                writer.WriteStartObject();
                writer.WriteString("Effect", "Allow");
                writer.WriteStartArray("Action");
                foreach (var action in actions)
                {
                    writer.WriteStringValue(action);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("Resource");
                foreach (var resource in resources)
                {
                    writer.WriteStringValue(resource);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        });

    private static string Write(Action<Utf8JsonWriter> writeStatements)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("Version", Version);
            writer.WriteStartArray("Statement");
            writeStatements(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
