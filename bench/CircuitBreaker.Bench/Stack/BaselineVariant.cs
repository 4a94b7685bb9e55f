using System.Globalization;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Bench.Baseline;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;
using CircuitBreaker.Functions.Downstream;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Functions.Runtime;

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

    public override Task ProvisionAsync(StackServices services, CancellationToken cancellationToken) =>
        OriginalTableLayout.CreateAsync(services.Observer, services.TableName, cancellationToken);

    public override IInvocationHandler CreateWebservice(StackServices services, IFailurePublisher publisher) =>
        new OriginalWebserviceHandler(
            services.WebserviceDynamo,
            services.TableName,
            services.NewDownstreamClient(),
            publisher,
            services.Settings,
            services.Time,
            services.NewLog(HandlerNames.Webservice));

    public override IInvocationHandler CreateRecorder(StackServices services) =>
        new OriginalRecorderHandler(services.RecorderDynamo, services.TableName, services.Settings, services.Time, services.NewLog(HandlerNames.Recorder));

    public override LocalInstance CreateLocalInstance(Func<string, string?> environment, TimeProvider time, FunctionLog log)
    {
        var settings = FunctionSettings.Read(environment);
        var credentials = CredentialsFromEnvironment.Explicit(environment);
        var isWebservice = settings.Handler == HandlerNames.Webservice;
        var owned = new CompositeDisposable();

        // The same client settings as our functions use, so that only the algorithm differs.
        var dynamo = owned.Own(DynamoDbClientFactory.Create(
            AwsServiceEndpoint.DynamoDbOverride(environment),
            settings.Region,
            isWebservice ? FunctionInstance.WebserviceStoreAttemptTimeout : FunctionInstance.RecorderStoreAttemptTimeout,
            credentials,
            maxErrorRetry: isWebservice ? 1 : 3));
        if (!isWebservice)
        {
            return new LocalInstance(new OriginalRecorderHandler(dynamo, settings.TableName, settings.Circuit, time, log), owned);
        }

        var downstreamHttp = owned.Own(FunctionInstance.NewDownstreamHttpClient());
        var publisher = FunctionInstance.NewFailurePublisher(owned.Own(FunctionInstance.NewEventsHttpClient()), settings, environment, credentials, time, log);
        var handler = new OriginalWebserviceHandler(
            dynamo, settings.TableName, new DownstreamClient(downstreamHttp, settings.Circuit.DownstreamUrl, time), publisher, settings.Circuit, time, log);
        return new LocalInstance(handler, owned);
    }

    public override async Task<string> ReadStateAsync(StackServices services, CancellationToken cancellationToken)
    {
        var result = await services.Observer.QueryAsync(
            new QueryRequest
            {
                TableName = services.TableName,
                IndexName = OriginalTableLayout.UrlIndex,
                KeyConditionExpression = "#url = :url AND #exp > :now",
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#url"] = OriginalTableLayout.SiteUrl,
                    ["#exp"] = OriginalTableLayout.ExpirationTime,
                },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":url"] = new() { S = services.Settings.ServiceId },
                    [":now"] = new() { N = services.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
                Select = Amazon.DynamoDBv2.Select.COUNT,
            },
            cancellationToken).ConfigureAwait(false);
        return result.Count >= services.Settings.FailureThreshold ? "open" : "closed";
    }
}
