using CircuitBreaker.Contract;
using CircuitBreaker.Functions;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Functions.Handlers;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Dynalite;

namespace CircuitBreaker.Bench.Stack;

/// <summary>Our breaker: the functions' own handlers, gate, recorder and DynamoDB store, as the bootstrap composes them.</summary>
internal sealed class OursVariant : BreakerVariant
{
    public override string Name => "ours";

    // Decisions read the base table with strongly consistent reads (DESIGN §4).
    public override double ReadUnitsPerRead => 1;

    public override double WriteUnitsPerWrite => 1;

    public override Task ProvisionAsync(StackServices services, CancellationToken cancellationToken) =>
        new CircuitTableProvisioner().CreateAsync(services.Observer, services.TableName, cancellationToken);

    public override IInvocationHandler CreateWebservice(StackServices services, IFailurePublisher publisher)
    {
        var log = services.NewLog(HandlerNames.Webservice);
        var store = new DynamoDbCircuitStore(services.WebserviceDynamo, services.TableName);
        return FunctionInstance.NewWebserviceHandler(store, services.NewDownstreamClient(), publisher, services.Settings, services.Time, log);
    }

    public override IInvocationHandler CreateRecorder(StackServices services)
    {
        var log = services.NewLog(HandlerNames.Recorder);
        var store = new DynamoDbCircuitStore(services.RecorderDynamo, services.TableName);
        return FunctionInstance.NewRecorderHandler(store, services.Settings, services.Time, log);
    }

    public override LocalInstance CreateLocalInstance(Func<string, string?> environment, TimeProvider time, FunctionLog log)
    {
        var instance = FunctionInstance.Create(environment, time, log);
        return new LocalInstance(instance.Handler, instance);
    }

    public override async Task<string> ReadStateAsync(StackServices services, CancellationToken cancellationToken)
    {
        var record = await new DynamoDbCircuitStore(services.Observer, services.TableName)
            .GetAsync(services.Settings.ServiceId, cancellationToken).ConfigureAwait(false);
        var now = services.Time.GetUtcNow();
        return record.Status switch
        {
            CircuitStatus.Open when record.OpenUntil > now => "open",
            CircuitStatus.Open => "open (probe due)",
            CircuitStatus.HalfOpen => "half-open",
            _ => "closed",
        };
    }
}
