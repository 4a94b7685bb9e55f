using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Polly;

/// <summary>
/// The deployed breaker's circuit: the webservice's own gate (<c>CircuitGate</c>, with this process's memory of open
/// circuits and the open period's backoff) over the breaker's DynamoDB table, failures and state changes published on
/// its EventBridge bus for the stack's recorder, and failure-ratio mode's success counter. One instance per process
/// and service id: build it once (or let <c>AddDistributedCircuitBreaker</c> build it) and keep it for the process's life.
/// </summary>
/// <remarks>
/// The recorder opens the circuit with the stack's settings (<c>failureThreshold</c>, <c>windowSeconds</c>,
/// <c>failureRatio</c>, <c>minimumThroughput</c>); this side uses the options' open duration, backoff and probe lease.
/// Give both the same values, e.g. with <see cref="DistributedCircuitBreakerEnvironment.ApplyEnvironment"/>.
/// Access needed: <c>dynamodb:GetItem</c> and <c>dynamodb:UpdateItem</c> on the table, <c>events:PutEvents</c> on the bus.
/// A probe given up without an outcome is released at once (<see cref="GateCircuitOwner.ReleaseProbeAsync"/>), a conditional write on
/// its owner, so the next caller anywhere may probe.
/// </remarks>
public sealed class DynamoDbDistributedCircuit : GateCircuitOwner, IDisposable
{
    /// <summary>One attempt at a state read or transition: short, since the caller's call waits on it (the webservice's).</summary>
    internal static readonly TimeSpan StoreAttemptTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>Retries of a store attempt after the first (the webservice's).</summary>
    internal const int StoreMaxErrorRetry = 1;

    /// <summary>The <c>handler</c> field of this library's log lines.</summary>
    internal const string LogHandlerName = "polly";

    private readonly IDisposable[] _owned;

    internal DynamoDbDistributedCircuit(GateCircuit circuit, params IDisposable[] owned)
        : base(circuit) => _owned = owned;

    /// <summary>
    /// Builds the circuit for <paramref name="settings"/>: its table and bus (or <c>TABLE_NAME</c> and <c>EVENT_BUS_NAME</c>),
    /// the region <c>AWS_REGION</c>, endpoints overridden by <c>AWS_ENDPOINT_URL_DYNAMODB</c>, <c>AWS_ENDPOINT_URL_EVENTS</c>
    /// or <c>AWS_ENDPOINT_URL</c> (the local host prints them), and the AWS SDK's default credentials chain.
    /// Log lines (transitions, faults survived) go to standard error as JSON, as Lambda's JSON log format takes them.
    /// </summary>
    /// <param name="settings">The options of the pipelines that will share the circuit; validated as the builder validates them.</param>
    /// <exception cref="ArgumentException">A table, bus or region is missing, or an endpoint variable is not an http(s) URL.</exception>
    public static DynamoDbDistributedCircuit Create(DistributedCircuitBreakerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Create(settings, Environment.GetEnvironmentVariable, Console.Error);
    }

    /// <summary>
    /// Builds the circuit with the environment read through <paramref name="environment"/> (tests host several in one
    /// process), and optionally a longer store attempt (tests on a loaded machine, where dynalite may be slow).
    /// </summary>
    internal static DynamoDbDistributedCircuit Create(
        DistributedCircuitBreakerSettings settings, Func<string, string?> environment, TextWriter logOutput, TimeSpan? storeAttemptTimeout = null)
    {
        var serviceId = settings.ServiceId ?? throw new ArgumentException("The settings have no ServiceId.", nameof(settings));
        var table = Named(settings.TableName, environment(FunctionEnvironment.TableName), nameof(settings.TableName), FunctionEnvironment.TableName, "tableName");
        var bus = Named(settings.EventBusName, environment(FunctionEnvironment.EventBusName), nameof(settings.EventBusName), FunctionEnvironment.EventBusName, "eventBusName");
        var region = environment(FunctionEnvironment.Region)?.Trim();
        if (string.IsNullOrEmpty(region))
        {
            throw new ArgumentException($"{FunctionEnvironment.Region} is required: the region of the breaker's table and bus, e.g. eu-west-1 (Lambda sets it).", nameof(settings));
        }

        Uri? dynamoDbEndpoint;
        Uri eventsEndpoint;
        try
        {
            dynamoDbEndpoint = AwsServiceEndpoint.DynamoDbOverride(environment);
            eventsEndpoint = AwsServiceEndpoint.ForEvents(environment, region);
        }
        catch (FunctionConfigurationException bad)
        {
            throw new ArgumentException(bad.Message, nameof(settings), bad);
        }

        var time = settings.TimeProvider ?? TimeProvider.System;
        var log = new FunctionLog(logOutput, time, LogHandlerName);
        var credentials = CredentialsFromEnvironment.Explicit(environment);
        var dynamoDb = AwsClientFactory.DynamoDb(dynamoDbEndpoint, region, storeAttemptTimeout ?? StoreAttemptTimeout, credentials, StoreMaxErrorRetry);
        var stateReads = AwsClientFactory.DynamoDb(dynamoDbEndpoint, region, storeAttemptTimeout ?? StoreAttemptTimeout, credentials, maxErrorRetry: 0);
        var publisher = AwsClientFactory.PutEvents(eventsEndpoint, region, bus, CredentialsFromEnvironment.Resolver(credentials), time, log);
        var circuit = GateCircuit.Over(
            serviceId,
            settings.ToPolicy(),
            new DynamoDbCircuitStore(dynamoDb, table, time, stateReads),
            publisher,
            new TransitionReporter(log, publisher, time),
            settings.ProbeLease,
            time,
            log);
        return new DynamoDbDistributedCircuit(circuit, dynamoDb, stateReads, publisher);
    }

    /// <summary>Releases the DynamoDB and EventBridge clients this circuit built.</summary>
    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static string Named(string? configured, string? fromEnvironment, string property, string variable, string stackOutput)
    {
        var name = string.IsNullOrWhiteSpace(configured) ? fromEnvironment?.Trim() : configured.Trim();
        return string.IsNullOrEmpty(name)
            ? throw new ArgumentException($"{property} is required: set it, or the environment variable {variable} (the stack's output {stackOutput}).", property)
            : name;
    }
}
