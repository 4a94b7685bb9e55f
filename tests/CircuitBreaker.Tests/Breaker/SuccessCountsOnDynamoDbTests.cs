using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

/// <summary>
/// Ratio mode's success counts through the real store (dynalite) when DynamoDB applies a flush and its answer is lost:
/// the stored total is the number of successful calls, never more.
/// </summary>
[Collection(DynaliteTests.Name)]
public sealed class SuccessCountsOnDynamoDbTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private string _table = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _table = await dynalite.CreateTableAsync(_client, Token);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(LostAnswer.Dropped)]
    [InlineData(LostAnswer.Late)]
    public async Task FlushesWhoseAnswersAreLostAreCountedOnceEach(LostAnswer how)
    {
        // Of every five writes, the 2nd and 3rd lose their answer: a write and the SDK's retry of it, or a write and
        // the counter's next flush. A webservice's client: 500 ms per attempt, one retry.
        await using var proxy = await AnswerLosingDynamoDbProxy.StartAsync(dynalite.Endpoint, update => update % 5 is 2 or 3, how);
        using var client = AwsClientFactory.DynamoDb(proxy.Endpoint, DynaliteFixture.Region, TimeSpan.FromMilliseconds(500), DynaliteFixture.Credentials, maxErrorRetry: 1);
        var settings = TestSettings.Circuit(downstream: $"http://ratio-{how}.test/".ToLowerInvariant(), failureRatio: 0.5, windowSeconds: 600);
        var counter = new SuccessCounter(new DynamoDbCircuitStore(client, _table, _time), settings.ServiceId, settings.Policy, _time, new CapturedLog(_time, "webservice").Log);

        long counted = 0;
        for (var second = 0; second < 12; second++)
        {
            for (var call = 0; call < SuccessCounter.BatchSize + second; call++)
            {
                counter.CountSuccess();
                counted++;
            }

            await counter.FlushIfDueAsync("req", Token);
            _time.Advance(SuccessCounter.FlushInterval);
        }

        // Whatever is still waiting (or was left unsure) goes out over the next flushes.
        for (var drain = 0; drain < 6; drain++)
        {
            _time.Advance(counter.MaxDelay);
            await counter.FlushIfDueAsync("req", Token);
        }

        var stored = await new DynamoDbCircuitStore(_client, _table, _time).SumSuccessesAsync(settings.ServiceId, TestClock.Start - TimeSpan.FromMinutes(1), Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"{how}: {counted} calls counted, {counter.Pending} pending, {stored} stored; {proxy.Updates} writes, {proxy.Lost} answers lost");
        Assert.True(proxy.Lost > 0);
        Assert.Equal(0, counter.Pending);
        Assert.Equal(counted, stored);
    }
}
