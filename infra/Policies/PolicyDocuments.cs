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

    /// <summary>Actions the webservice needs on the bus.</summary>
    public static IReadOnlyList<string> WebserviceBusActions { get; } = ["events:PutEvents"];

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

    /// <summary>The recorder's permissions.</summary>
    public static string Recorder(string tableArn, string logGroupArn) =>
        Allow(
            (RecorderTableActions, [tableArn]),
            (LogActions, [LogStreamsOf(logGroupArn)]));

    /// <summary>Lets EventBridge put undeliverable events of one rule on the dead-letter queue.</summary>
    public static string DeadLetterQueue(string queueArn, string ruleArn) =>
        Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("Effect", "Allow");
            writer.WriteStartObject("Principal");
            writer.WriteString("Service", "events.amazonaws.com");
            writer.WriteEndObject();
            writer.WriteString("Action", "sqs:SendMessage");
            writer.WriteString("Resource", queueArn);
            writer.WriteStartObject("Condition");
            writer.WriteStartObject("ArnEquals");
            writer.WriteString("aws:SourceArn", ruleArn);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    /// <summary>The log streams of one log group (CloudWatch Logs authorizes PutLogEvents on the stream).</summary>
    public static string LogStreamsOf(string logGroupArn) => logGroupArn + ":*";

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
