using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Recorder;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Baseline;

/// <summary>
/// The original cdk-patterns error Lambda's algorithm: store every delivered failure event as a new item under
/// a random key, expiring one window after it was recorded (TTL). A redelivered event is stored again and
/// counts twice; nothing else happens here, the webservice does all the counting.
/// </summary>
internal sealed class OriginalRecorderHandler(IAmazonDynamoDB dynamo, string tableName, CircuitSettings settings, TimeProvider time, FunctionLog log)
    : IInvocationHandler
{
    private static readonly byte[] Empty = "null"u8.ToArray();

    public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        // The envelope is read with the same validation as ours; the original read event.detail without any.
        var (_, failure) = RecorderHandler.Read(invocation.Payload);
        var expiresAt = time.GetUtcNow() + settings.Policy.Window;
        await dynamo.PutItemAsync(
            new PutItemRequest
            {
                TableName = tableName,
                Item = new Dictionary<string, AttributeValue>
                {
                    [OriginalTableLayout.RequestId] = new() { S = Guid.NewGuid().ToString("N") },
                    [OriginalTableLayout.SiteUrl] = new() { S = failure.ServiceId },
                    [OriginalTableLayout.ErrorType] = new() { S = failure.Reason },
                    [OriginalTableLayout.ExpirationTime] = new() { N = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
            },
            cancellationToken).ConfigureAwait(false);
        log.Info("failure recorded", new LogScope(invocation.RequestId, failure.ServiceId), ("reason", failure.Reason));
        return Empty;
    }
}
