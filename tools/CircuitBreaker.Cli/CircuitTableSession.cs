using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Cli;

/// <summary>
/// circuitctl's calls to the circuit table, all within one time budget (<c>--timeout-seconds</c>), each named so
/// that whatever goes wrong becomes one line that says which call, where, and what failed:
/// <see cref="CircuitCtlException"/> with exit code 1, or 130 when the operator pressed Ctrl+C.
/// </summary>
internal sealed class CircuitTableSession : IDisposable
{
    // The SDK's own limit on one attempt stays above the budget, so that the budget is what ends a stalled call and
    // the line can say so; connection failures are retried (twice) within it.
    private static readonly TimeSpan AttemptMargin = TimeSpan.FromSeconds(1);

    private readonly IAmazonDynamoDB _client;
    private readonly DynamoDbCircuitStore _store;
    private readonly DeferredRequestStore _deferred;
    private readonly string _table;
    private readonly Uri _endpoint;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _interrupted;
    private readonly CancellationTokenSource _budget;
    private readonly CancellationTokenSource _calls;

    /// <summary>Opens the table named in <paramref name="options"/> with <paramref name="credentials"/>; the budget starts now.</summary>
    public CircuitTableSession(CircuitCtlOptions options, AWSCredentials? credentials, TimeProvider time, CancellationToken interrupted)
    {
        ArgumentNullException.ThrowIfNull(options);
        _table = options.Table;
        _timeout = options.Timeout;
        _endpoint = options.EndpointUrl ?? new Uri($"https://dynamodb.{options.Region}.amazonaws.com/");
        _client = AwsClientFactory.DynamoDb(options.EndpointUrl, options.Region, options.Timeout + AttemptMargin, credentials);
        if (_client is AmazonServiceClient serviceClient)
        {
            DynamoDbAnswerCheck.Install(serviceClient);
        }

        _store = new DynamoDbCircuitStore(_client, options.Table, time);
        _deferred = new DeferredRequestStore(_client, options.Table);
        _interrupted = interrupted;
        _budget = new CancellationTokenSource(options.Timeout, time);
        _calls = CancellationTokenSource.CreateLinkedTokenSource(interrupted, _budget.Token);
    }

    /// <summary>The service ids that have any item in the table.</summary>
    public Task<IReadOnlyList<string>> ListServicesAsync() =>
        CallAsync("Scan (listing the table's circuits)", write: false, _store.ListServicesAsync);

    /// <summary>Whether the table holds any item of <paramref name="serviceId"/>: its state, a failure or a success counter.</summary>
    public Task<bool> ExistsAsync(string serviceId) =>
        CallAsync($"Query (looking for circuit '{serviceId}')", write: false, async token =>
        {
            var request = new QueryRequest
            {
                TableName = _table,
                KeyConditionExpression = "#pk = :serviceId",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = CircuitTable.PartitionKey },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":serviceId"] = new() { S = serviceId } },
                ProjectionExpression = "#pk",
                Limit = 1,
            };
            var response = await StoreCalls.Call("Query", serviceId, () => _client.QueryAsync(request, token), token).ConfigureAwait(false);
            return response.Items is { Count: > 0 };
        });

    /// <summary>The circuit's state item.</summary>
    public Task<CircuitRecord> GetAsync(string serviceId) =>
        CallAsync($"GetItem (reading circuit '{serviceId}')", write: false, token => _store.GetAsync(serviceId, token));

    /// <summary>Failures of <paramref name="serviceId"/> dated from <paramref name="since"/> to <paramref name="until"/>.</summary>
    public Task<int> CountFailuresAsync(string serviceId, DateTimeOffset since, DateTimeOffset until) =>
        CallAsync($"Query (counting the failures of '{serviceId}')", write: false, token => _store.CountFailuresAsync(serviceId, since, until, 1000, token));

    /// <inheritdoc cref="DynamoDbCircuitStore.IsolateAsync"/>
    public Task<CircuitRecord?> IsolateAsync(string serviceId) =>
        CallAsync($"UpdateItem (isolating '{serviceId}')", write: true, token => _store.IsolateAsync(serviceId, token));

    /// <inheritdoc cref="DynamoDbCircuitStore.ForceCloseAsync"/>
    public Task<CircuitRecord> ForceCloseAsync(string serviceId, DateTimeOffset closedAt) =>
        CallAsync($"UpdateItem (closing '{serviceId}')", write: true, token => _store.ForceCloseAsync(serviceId, closedAt, token));

    /// <inheritdoc />
    /// <summary>The circuit's deferred requests in arrival order.</summary>
    public Task<IReadOnlyList<DeferredRequest>> ListDeferredAsync(string serviceId) =>
        CallAsync($"Query (listing the deferred requests of '{serviceId}')", write: false, token => _deferred.ListAllAsync(serviceId, token));

    /// <summary>Deletes one deferred request, whoever holds it; false when it was gone already.</summary>
    public Task<bool> DropDeferredAsync(DeferredRequest request) =>
        CallAsync($"DeleteItem (dropping deferred request '{request.Id}')", write: true, token => _deferred.DeleteAsync(request.ServiceId, request.SortKey, owner: null, token));

    /// <inheritdoc />
    public void Dispose()
    {
        _calls.Dispose();
        _budget.Dispose();
        _client.Dispose();
    }

    private async Task<T> CallAsync<T>(string call, bool write, Func<CancellationToken, Task<T>> run)
    {
        // A write that was sent may still be applied after we stop waiting: the operator must look before retrying.
        var unknown = write ? "; it may still have been applied: check with circuitctl status" : string.Empty;
        try
        {
            return await run(_calls.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_interrupted.IsCancellationRequested)
        {
            throw new CircuitCtlException(CircuitCtlCommand.Interrupted, $"interrupted while waiting for DynamoDB at {_endpoint} to answer {call}{unknown}");
        }
        catch (OperationCanceledException) when (_budget.IsCancellationRequested)
        {
            throw TimedOut(call, unknown);
        }
        catch (CircuitStoreUnavailableException e)
        {
            throw Failure(call, e.InnerException ?? e, unknown);
        }
    }

    private CircuitCtlException TimedOut(string call, string unknown) =>
        new(CircuitCtlCommand.Failed, string.Create(CultureInfo.InvariantCulture,
            $"DynamoDB at {_endpoint} did not answer {call} within {_timeout.TotalSeconds:0.###} s (--timeout-seconds){unknown}"));

    private CircuitCtlException Failure(string call, Exception cause, string unknown)
    {
        if (cause is ResourceNotFoundException)
        {
            return new CircuitCtlException(CircuitCtlCommand.Failed, $"table '{_table}' not found at {_endpoint}");
        }

        if (cause is NotDynamoDbException || (cause is AmazonServiceException service && DynamoDbAnswerCheck.IsForeignError(service)))
        {
            var what = cause is AmazonServiceException foreign ? $"it answered {call} with HTTP {(int)foreign.StatusCode} and no x-amzn-RequestId header" : cause.Message;
            return new CircuitCtlException(CircuitCtlCommand.Failed, $"{_endpoint} is not DynamoDB: {what}");
        }

        if (ConnectionFailure.Describe(cause, _endpoint) is { } connection)
        {
            return new CircuitCtlException(CircuitCtlCommand.Failed, $"cannot reach DynamoDB at {_endpoint} for {call}: {connection}");
        }

        // The SDK's own limit on an attempt (a cancellation nobody here asked for) is a timeout too.
        if (cause is OperationCanceledException or TimeoutException)
        {
            return TimedOut(call, unknown);
        }

        var message = cause is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? $"{code}: {cause.Message}" : cause.Message;
        return new CircuitCtlException(CircuitCtlCommand.Failed, $"DynamoDB at {_endpoint} failed {call}: {OneLine(message)}{unknown}");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
