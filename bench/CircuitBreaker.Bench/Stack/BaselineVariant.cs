using Amazon.DynamoDBv2;
using CircuitBreaker.Bench.Baseline;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Webservice.Downstream;

namespace CircuitBreaker.Bench.Stack;

/// <summary>The original cdk-patterns algorithm (see <see cref="OriginalWebserviceHandler"/>).</summary>
internal sealed class BaselineVariant : BreakerVariant
{
    public override string Name => "baseline";

    public override string Label => "original";

    public override bool IsBaseline => true;

    public override Report.AdmissionDesign Design => Report.AdmissionDesign.CountRecentFailures;

    // The webservice queries a GSI, which can only be read eventually consistently.
    public override double ReadUnitsPerRead => 0.5;

    // Every failure item is also written to UrlIndex.
    public override double WriteUnitsPerWrite => 2;

    public override Task ProvisionAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken) =>
        OriginalTableLayout.CreateAsync(client, tableName, cancellationToken);

    // The same clients as our functions' instances, so that only the algorithm differs.
    public override FunctionInstance CreateInstance(Func<string, string?> environment, TimeProvider time, FunctionLog log) =>
        FunctionInstance.Create(environment, time, log, clients =>
        {
            var (settings, circuit) = (clients.Settings, clients.Settings.Routes.Routes[0].Circuit);
            return clients.IsWebservice
                ? new OriginalWebserviceHandler(
                    clients.DynamoDb,
                    settings.TableName,
                    new DownstreamClient(clients.DownstreamHttp, circuit.Target.DownstreamUrl, time),
                    clients.Publisher,
                    circuit,
                    time,
                    log)
                : new OriginalRecorderHandler(clients.DynamoDb, settings.TableName, circuit, time, log);
        });

    public override async Task<string> ReadStateAsync(
        IAmazonDynamoDB client, string tableName, CircuitSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await client.QueryAsync(
            OriginalTableLayout.UnexpiredFailures(tableName, settings.ServiceId, time.GetUtcNow(), countOnly: true),
            cancellationToken).ConfigureAwait(false);
        return result.Count >= settings.Policy.FailureThreshold ? "open" : "closed";
    }
}
