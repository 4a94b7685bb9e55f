using Amazon.DynamoDBv2;
using Amazon.Runtime;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Configuration;

namespace CircuitBreaker.Functions;

/// <summary>
/// The clients one function instance owns, configured from its settings and environment and disposed with the
/// instance: the DynamoDB client (its time per attempt and retries by function), and, on first use, the downstream's
/// HTTP client and the PutEvents publisher. An instance's handler is built from them.
/// </summary>
internal sealed class InstanceClients : IDisposable
{
    /// <summary>One attempt at a state read or transition by the webservice: short, since a request waits on it.</summary>
    internal static readonly TimeSpan WebserviceStoreAttemptTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>One attempt by the recorder: it runs asynchronously, so it can afford to wait longer.</summary>
    internal static readonly TimeSpan RecorderStoreAttemptTimeout = TimeSpan.FromSeconds(3);

    private readonly List<IDisposable> _owned = [];
    private readonly Func<string, string?> _environment;
    private readonly AWSCredentials? _credentials;
    private HttpClient? _downstreamHttp;
    private PutEventsClient? _publisher;

    /// <summary>Creates the DynamoDB client; the other clients wait for their first use.</summary>
    public InstanceClients(FunctionSettings settings, Func<string, string?> environment, TimeProvider time, FunctionLog log)
    {
        Settings = settings;
        Time = time;
        Log = log;
        _environment = environment;
        _credentials = CredentialsFromEnvironment.Explicit(environment);
        DynamoDb = Own(AwsClientFactory.DynamoDb(
            AwsServiceEndpoint.DynamoDbOverride(environment),
            settings.Region,
            IsWebservice ? WebserviceStoreAttemptTimeout : RecorderStoreAttemptTimeout,
            _credentials,
            maxErrorRetry: IsWebservice ? 1 : 3));

        // The webservice's state read retries nothing in the SDK: a throttled read is answered from the last state read
        // instead (CircuitGate), and the store tries other faults once more itself.
        StateReads = IsWebservice
            ? Own(AwsClientFactory.DynamoDb(AwsServiceEndpoint.DynamoDbOverride(environment), settings.Region, WebserviceStoreAttemptTimeout, _credentials, maxErrorRetry: 0))
            : null;
    }

    /// <summary>The validated settings the instance runs with.</summary>
    public FunctionSettings Settings { get; }

    /// <summary>The instance's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The instance's log.</summary>
    public FunctionLog Log { get; }

    /// <summary>True for a webservice instance, false for a recorder.</summary>
    public bool IsWebservice => Settings.Handler == HandlerNames.Webservice;

    /// <summary>The DynamoDB client for the circuit table.</summary>
    public IAmazonDynamoDB DynamoDb { get; }

    /// <summary>The webservice's client for the state read a request waits on, without the SDK's retries; null for the recorder.</summary>
    public IAmazonDynamoDB? StateReads { get; }

    /// <summary>The downstream's HTTP client: see <see cref="Webservice.Downstream.DownstreamHttp.CreateClient"/> for what it refuses to do.</summary>
    public HttpClient DownstreamHttp => _downstreamHttp ??= Own(FunctionInstance.NewDownstreamHttpClient());

    /// <summary>
    /// The publisher of failures and state changes, for the bus the settings name (<see cref="FunctionSettings.EventBusName"/>
    /// must be set) at the endpoint the environment names; it bounds each call by the request's own budget.
    /// </summary>
    public PutEventsClient Publisher => _publisher ??= Own(AwsClientFactory.PutEvents(
        AwsServiceEndpoint.ForEvents(_environment, Settings.Region),
        Settings.Region,
        Settings.EventBusName!,
        CredentialsFromEnvironment.Resolver(_credentials),
        Time,
        Log));

    /// <summary>The replayer's dead-letter queue: SQS when the settings name one, else the log.</summary>
    public Replayer.IDeadLetterQueue DeadLetters()
    {
        if (Settings.DeadLetterQueueUrl is not { } queue)
        {
            return new Replayer.LogOnlyDeadLetterQueue(Log);
        }

        // No redirects (a redirected request would go unsigned); a dead letter may wait a little, not forever.
        var http = Own(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) });
        return new Replayer.SqsDeadLetterQueue(http, queue, Settings.Region, CredentialsFromEnvironment.Resolver(_credentials), Time, Log);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
