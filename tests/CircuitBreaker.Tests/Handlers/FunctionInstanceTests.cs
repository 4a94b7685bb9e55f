using Amazon.DynamoDBv2;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Recorder;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

public sealed class FunctionInstanceTests
{
    private static Func<string, string?> Environment(string handler)
    {
        var variables = new Dictionary<string, string>
        {
            [FunctionEnvironment.Handler] = handler,
            [FunctionEnvironment.TableName] = "circuits",
            [FunctionEnvironment.EventBusName] = "failures",
            [FunctionEnvironment.Region] = "eu-west-1",
            [FunctionEnvironment.DynamoDbEndpointUrl] = "http://127.0.0.1:9/",
            [FunctionEnvironment.EventsEndpointUrl] = "http://127.0.0.1:9/",
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["DOWNSTREAM_URL"] = "http://127.0.0.1:9/",
        };
        return name => variables.GetValueOrDefault(name);
    }

    private static FunctionLog Log(string handler) => new(TextWriter.Null, TimeProvider.System, handler);

    [Theory]
    [InlineData(HandlerNames.Webservice, typeof(WebserviceHandler))]
    [InlineData(HandlerNames.Recorder, typeof(RecorderHandler))]
    public void WithoutAFactoryAnInstanceServesTheBreakersHandlerItsSettingsName(string handler, Type expected)
    {
        using var instance = FunctionInstance.Create(Environment(handler), TimeProvider.System, Log(handler));

        Assert.IsType(expected, instance.Handler);
        Assert.Equal(handler, instance.Settings.Handler);
    }

    [Theory]
    [InlineData(HandlerNames.Webservice, true, 500, 1)]
    [InlineData(HandlerNames.Recorder, false, 3000, 3)]
    public void AFactorysHandlerIsBuiltFromTheInstancesOwnClients(string handler, bool isWebservice, int attemptMs, int retries)
    {
        InstanceClients? given = null;
        var served = DelegateInvocationHandler.Echo();

        using var instance = FunctionInstance.Create(Environment(handler), TimeProvider.System, Log(handler), clients =>
        {
            given = clients;
            return served;
        });

        Assert.Same(served, instance.Handler);
        Assert.NotNull(given);
        Assert.Equal(isWebservice, given.IsWebservice);
        Assert.Equal("circuits", given.Settings.TableName);
        var config = (AmazonDynamoDBConfig)given.DynamoDb.Config;
        Assert.Equal(TimeSpan.FromMilliseconds(attemptMs), config.Timeout);
        Assert.Equal(retries, config.MaxErrorRetry);
        Assert.Same(given.Publisher, given.Publisher);
        Assert.Same(given.DownstreamHttp, given.DownstreamHttp);
    }

    [Fact]
    public void AWrongEnvironmentFailsBeforeTheFactoryRuns()
    {
        var called = false;
        string? Broken(string name) => name == FunctionEnvironment.TableName ? null : Environment(HandlerNames.Webservice)(name);

        Assert.Throws<CircuitBreaker.Core.Configuration.FunctionConfigurationException>(() => FunctionInstance.Create(Broken, TimeProvider.System, Log(HandlerNames.Webservice), _ =>
        {
            called = true;
            return DelegateInvocationHandler.Echo();
        }));
        Assert.False(called);
    }
}
