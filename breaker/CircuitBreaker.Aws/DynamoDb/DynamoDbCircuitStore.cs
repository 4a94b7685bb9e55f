using Amazon.DynamoDBv2;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// <see cref="ICircuitStore"/> on one DynamoDB table (<see cref="CircuitTable"/>): failure items, success-counter items
/// and one state item per circuit under the service id, each kind written and read by its own part
/// (<see cref="FailureItems"/>, <see cref="SuccessCounters"/>, <see cref="StateItemStore"/>), plus the operator's
/// overrides (<see cref="OperatorActions"/>). The items and each transition's condition are tabled in docs/design.md
/// ("State machine", "The table").
/// </summary>
public sealed class DynamoDbCircuitStore : ICircuitStore
{
    private readonly FailureItems _failures;
    private readonly SuccessCounters _successes;
    private readonly StateItemStore _state;
    private readonly OperatorActions _operatorActions;

    /// <summary>Uses <paramref name="client"/> against the table named <paramref name="tableName"/>.</summary>
    /// <param name="client">The DynamoDB client.</param>
    /// <param name="tableName">The circuit table.</param>
    /// <param name="time">Stamps each transition's <see cref="CircuitRecord.ChangedAt"/>; the system clock when null.</param>
    /// <param name="requestPathReads">
    /// For the webservice and the Polly library: a client without retries for the state read a request waits on, so that a
    /// throttled read is not retried (<see cref="StateItemStore"/>); null reads with <paramref name="client"/>.
    /// </param>
    public DynamoDbCircuitStore(IAmazonDynamoDB client, string tableName, TimeProvider? time = null, IAmazonDynamoDB? requestPathReads = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        time ??= TimeProvider.System;
        TableName = tableName;
        _failures = new FailureItems(client, tableName);
        _successes = new SuccessCounters(client, tableName);
        _state = new StateItemStore(client, tableName, time, requestPathReads);
        _operatorActions = new OperatorActions(client, tableName, time);
    }

    /// <summary>The table this store reads and writes.</summary>
    public string TableName { get; }

    /// <inheritdoc />
    public Task<CircuitRecord> GetAsync(string serviceId, CancellationToken cancellationToken) =>
        _state.GetAsync(serviceId, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RecordFailureAsync(FailureRecord failure, CancellationToken cancellationToken) =>
        _failures.RecordAsync(failure, cancellationToken);

    /// <inheritdoc />
    public Task<int> CountFailuresAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        _failures.CountAsync(serviceId, since, until, limit, cancellationToken);

    /// <inheritdoc />
    public Task<bool> AddSuccessesAsync(SuccessCount successes, CancellationToken cancellationToken) =>
        _successes.AddAsync(successes, cancellationToken);

    /// <inheritdoc />
    public Task<long> SumSuccessesAsync(string serviceId, DateTimeOffset since, CancellationToken cancellationToken) =>
        _successes.SumAsync(serviceId, since, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryOpenAsync(string serviceId, long expectedVersion, DateTimeOffset openUntil, CancellationToken cancellationToken) =>
        _state.TryOpenAsync(serviceId, expectedVersion, openUntil, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryAcquireProbeAsync(
        string serviceId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        _state.TryAcquireProbeAsync(serviceId, owner, now, leaseUntil, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryCloseAsync(string serviceId, string owner, DateTimeOffset closedAt, CancellationToken cancellationToken) =>
        _state.TryCloseAsync(serviceId, owner, closedAt, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryReopenAsync(string serviceId, string owner, DateTimeOffset openUntil, int failedProbes, CancellationToken cancellationToken) =>
        _state.TryReopenAsync(serviceId, owner, openUntil, failedProbes, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryReleaseProbeAsync(string serviceId, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        _state.TryReleaseProbeAsync(serviceId, owner, now, cancellationToken);

    /// <inheritdoc cref="OperatorActions.IsolateAsync"/>
    public Task<CircuitRecord?> IsolateAsync(string serviceId, CancellationToken cancellationToken) =>
        _operatorActions.IsolateAsync(serviceId, cancellationToken);

    /// <inheritdoc cref="OperatorActions.ForceCloseAsync"/>
    public Task<CircuitRecord> ForceCloseAsync(string serviceId, DateTimeOffset closedAt, CancellationToken cancellationToken) =>
        _operatorActions.ForceCloseAsync(serviceId, closedAt, cancellationToken);

    /// <inheritdoc cref="OperatorActions.ListServicesAsync"/>
    public Task<IReadOnlyList<string>> ListServicesAsync(CancellationToken cancellationToken) =>
        _operatorActions.ListServicesAsync(cancellationToken);
}
