using System.Text.Json;
using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Polly;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Tests.Polly;

/// <summary>
/// The AWS backend under the same contract as the in-memory circuit: the webservice's gate over a dynalite table,
/// failures put on a loopback EventBridge, and the recorder fed with what the bus received, as the stack's rule feeds it.
/// </summary>
[Collection(DynaliteTests.Name)]
public sealed class DynamoDbDistributedCircuitTests(DynaliteFixture dynalite) : DistributedCircuitContractTests, IAsyncLifetime
{
    // The deployed half second per attempt is too tight for dynalite while the whole suite runs on two cores.
    private static readonly TimeSpan StoreAttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly List<DynamoDbDistributedCircuit> _circuits = [];
    private readonly CapturedLog _log = new(TimeProvider.System, "recorder");
    private IAmazonDynamoDB _client = null!;
    private LoopbackEventBridge _bus = null!;
    private string _table = null!;

    public async ValueTask InitializeAsync()
    {
        _client = dynalite.CreateClient();
        _table = await dynalite.CreateTableAsync(_client, Token);
        _bus = await LoopbackEventBridge.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var circuit in _circuits)
        {
            circuit.Dispose();
        }

        await _bus.DisposeAsync();
        _client.Dispose();
    }

    protected override IDistributedCircuit NewCircuit(DistributedCircuitBreakerSettings settings)
    {
        settings.TableName = _table;
        settings.EventBusName = "failures";
        var circuit = DynamoDbDistributedCircuit.Create(settings, Environment, TextWriter.Null, StoreAttemptTimeout);
        _circuits.Add(circuit);
        return circuit;
    }

    protected override async Task OpenAsync(IDistributedCircuit circuit)
    {
        var before = _bus.Requests.Count;
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await circuit.ReportFailureAsync(Failure(circuit, FailureReasons.Exception), Token));
        }

        await RecordWhatTheBusReceivedAsync(before);
        var record = await new DynamoDbCircuitStore(_client, _table, Time).GetAsync(circuit.ServiceId, Token);
        Assert.Equal(CircuitStatus.Open, record.Status);
    }

    [Fact]
    public async Task FailuresArePutOnTheBusAsTheContractsFailureEvents()
    {
        var circuit = NewCircuit(Settings());

        Assert.True(await circuit.ReportFailureAsync(Failure(circuit, FailureReasons.Exception), Token));

        var request = Assert.Single(_bus.Requests);
        Assert.Equal("AWSEvents.PutEvents", request.Header("X-Amz-Target"));
        var entry = JsonDocument.Parse(request.Body).RootElement.GetProperty("Entries")[0];
        Assert.Equal(FailureEvents.Source, entry.GetProperty("Source").GetString());
        Assert.Equal(FailureEvents.DetailType, entry.GetProperty("DetailType").GetString());
        Assert.Equal("failures", entry.GetProperty("EventBusName").GetString());
        Assert.Contains("\"reason\":\"exception\"", entry.GetProperty("Detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOpenCircuitIsAnsweredFromMemoryByThisInstanceAndFromTheTableByAnother()
    {
        var first = NewCircuit(Settings());
        var second = NewCircuit(Settings());
        await OpenAsync(first);
        Assert.Equal(CircuitAdmissionKind.Reject, (await first.AdmitAsync("a", Token)).Kind);

        // The table is gone for the first instance: only its memory can still answer.
        await _client.DeleteTableAsync(_table, Token);

        Assert.Equal(CircuitAdmissionKind.Reject, (await first.AdmitAsync("b", Token)).Kind);
        Assert.Equal(CircuitAdmissionKind.Unavailable, (await second.AdmitAsync("c", Token)).Kind);
    }

    [Fact]
    public async Task AnIsolatedCircuitIsAdmittedAsIsolated()
    {
        var circuit = NewCircuit(Settings());
        await new DynamoDbCircuitStore(_client, _table, Time).IsolateAsync(circuit.ServiceId, Token);

        var admission = await circuit.AdmitAsync("call", Token);

        Assert.Equal(CircuitAdmissionKind.Isolated, admission.Kind);
        Assert.Equal(CircuitState.Isolated, admission.State);
    }

    [Fact]
    public async Task InRatioModeSuccessfulCallsAreAddedToTheTablesCounterAndFailedOnesAreNot()
    {
        var settings = Settings();
        settings.FailureRatio = 0.5;
        var circuit = NewCircuit(settings);

        // A new instance writes its first full batch at once; failed calls reach the table through the recorder, not here.
        var store = new DynamoDbCircuitStore(_client, _table, Time);
        for (var i = 0; i < SuccessCounter.BatchSize - 1; i++)
        {
            await circuit.ReportCallAsync(new CircuitCallReport(Time.GetUtcNow(), Failed: false), Token);
        }

        await circuit.ReportCallAsync(new CircuitCallReport(Time.GetUtcNow(), Failed: true), Token);
        Assert.Equal(0, await store.SumSuccessesAsync(circuit.ServiceId, Time.GetUtcNow().AddMinutes(-1), Token));

        await circuit.ReportCallAsync(new CircuitCallReport(Time.GetUtcNow(), Failed: false), Token);
        Assert.Equal(SuccessCounter.BatchSize, await store.SumSuccessesAsync(circuit.ServiceId, Time.GetUtcNow().AddMinutes(-1), Token));
    }

    [Fact]
    public async Task InCountModeCallsAreNotCounted()
    {
        var circuit = NewCircuit(Settings());

        for (var i = 0; i < SuccessCounter.BatchSize; i++)
        {
            await circuit.ReportCallAsync(new CircuitCallReport(Time.GetUtcNow(), Failed: false), Token);
        }

        Assert.Equal(0, await new DynamoDbCircuitStore(_client, _table, Time).SumSuccessesAsync(circuit.ServiceId, Time.GetUtcNow().AddMinutes(-1), Token));
    }

    private string? Environment(string name) => name switch
    {
        FunctionEnvironment.Region => DynaliteFixture.Region,
        FunctionEnvironment.DynamoDbEndpointUrl => dynalite.Endpoint.AbsoluteUri,
        FunctionEnvironment.EventsEndpointUrl => _bus.Endpoint.AbsoluteUri,
        "AWS_ACCESS_KEY_ID" or "AWS_SECRET_ACCESS_KEY" => "local",
        _ => null,
    };

    // The stack's rule routes each failure event to the recorder; here the test does, with the recorder's own class.
    private async Task RecordWhatTheBusReceivedAsync(int skip)
    {
        var recorder = new FailureRecorder(
            new DynamoDbCircuitStore(_client, _table, Time),
            TestSettings.Policy(threshold: 3, openSeconds: 30),
            Time,
            _log.Log);
        foreach (var request in _bus.Requests.Skip(skip))
        {
            var entry = JsonDocument.Parse(request.Body).RootElement.GetProperty("Entries")[0];
            var detail = JsonSerializer.Deserialize(entry.GetProperty("Detail").GetString()!, ContractJsonContext.Default.FailureEventDetail)!;
            await recorder.RecordAsync(Guid.NewGuid().ToString("N"), detail, Token);
        }
    }
}
