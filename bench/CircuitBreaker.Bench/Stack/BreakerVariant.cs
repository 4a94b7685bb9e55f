using Amazon.DynamoDBv2;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions;

namespace CircuitBreaker.Bench.Stack;

/// <summary>One breaker design under test: its table, its two functions, and how an observer reads its state.</summary>
internal abstract class BreakerVariant
{
    public abstract string Name { get; }

    /// <summary>What the report calls it.</summary>
    public abstract string Label { get; }

    /// <summary>Whether this is the original's algorithm, which every other variant is compared with.</summary>
    public virtual bool IsBaseline => false;

    /// <summary>This variant's settings from the run's common ones (its mode: ratio, slow calls, backoff).</summary>
    public virtual CircuitSettings Configure(CircuitSettings common) => common;

    /// <summary>How a hang's calls reach the downstream under this design, for the cost model.</summary>
    public abstract Report.AdmissionDesign Design { get; }

    /// <summary>On-demand read request units one read of this design consumes (items are far below 4 KB): 1 strongly consistent, 0.5 eventually.</summary>
    public abstract double ReadUnitsPerRead { get; }

    /// <summary>On-demand write request units one write consumes (items below 1 KB): 1, plus 1 per global secondary index it updates.</summary>
    public abstract double WriteUnitsPerWrite { get; }

    /// <summary>Creates this design's table.</summary>
    public abstract Task ProvisionAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken);

    /// <summary>
    /// An instance built from its environment the way the bootstrap builds one (its own SDK clients, its own PutEvents
    /// client): each new one is a new execution environment, with fresh in-memory state.
    /// </summary>
    public abstract FunctionInstance CreateInstance(Func<string, string?> environment, TimeProvider time, FunctionLog log);

    /// <summary>The circuit's state as the stored data says, read without being counted: closed, open or half-open.</summary>
    public abstract Task<string> ReadStateAsync(IAmazonDynamoDB client, string tableName, CircuitSettings settings, TimeProvider time, CancellationToken cancellationToken);
}
