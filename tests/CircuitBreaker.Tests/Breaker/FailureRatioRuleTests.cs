using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

public sealed class FailureRatioRuleTests
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly TestCircuitStore _store = new();

    private DateTimeOffset Now => _time.GetUtcNow();

    private async Task SeedAsync(CircuitSettings settings, int successes, int failures, TimeSpan ago = default)
    {
        if (successes > 0)
        {
            await _store.AddSuccessesAtAsync(settings.ServiceId, Now - ago, successes);
        }

        for (var i = 0; i < failures; i++)
        {
            var at = Now - ago;
            await _store.RecordFailureAsync(new FailureRecord(settings.ServiceId, Guid.NewGuid().ToString(), at, at + TimeSpan.FromHours(1), FailureReasons.Timeout), CancellationToken.None);
        }
    }

    private Task<OpeningVerdict> EvaluateAsync(CircuitSettings settings) =>
        new FailureRatioRule(_store, settings.Policy).EvaluateAsync(settings.ServiceId, Now - settings.Policy.Window, Now, CancellationToken.None);

    [Fact]
    public async Task ARatioAtOrAboveTheSettingWithEnoughCallsOpens()
    {
        var settings = TestSettings.Circuit(failureRatio: 0.1, minimumThroughput: 100);
        await SeedAsync(settings, successes: 270, failures: 30);

        var verdict = await EvaluateAsync(settings);

        Assert.True(verdict.Opens);
        Assert.Equal(30, verdict.Failures);
        Assert.Equal(300, verdict.Calls);
        Assert.Equal("30 of 300 calls failed within 60 s (10 %), ratio 0.1, minimum throughput 100", verdict.Reason);
    }

    [Fact]
    public async Task ARatioBelowTheSettingStaysClosed()
    {
        var settings = TestSettings.Circuit(failureRatio: 0.1, minimumThroughput: 100);
        await SeedAsync(settings, successes: 271, failures: 29);

        var verdict = await EvaluateAsync(settings);

        Assert.False(verdict.Opens);
        Assert.Equal(29, verdict.Failures);
        Assert.Equal(300, verdict.Calls);
    }

    [Fact]
    public async Task BelowTheMinimumThroughputEvenEveryCallFailingStaysClosed()
    {
        var settings = TestSettings.Circuit(failureRatio: 0.5, minimumThroughput: 20);
        await SeedAsync(settings, successes: 0, failures: 19);

        Assert.False((await EvaluateAsync(settings)).Opens);

        await SeedAsync(settings, successes: 0, failures: 1);
        Assert.True((await EvaluateAsync(settings)).Opens);
    }

    [Fact]
    public async Task FailuresAloneCountAsCallsSoAHangOpensWithoutAnySuccessCounted()
    {
        var settings = TestSettings.Circuit(failureRatio: 0.5, minimumThroughput: 10);
        await SeedAsync(settings, successes: 0, failures: 10);

        var verdict = await EvaluateAsync(settings);

        Assert.True(verdict.Opens);
        Assert.Equal(10, verdict.Calls);
    }

    [Fact]
    public async Task SuccessesAndFailuresOlderThanTheWindowNeverCountWhetherOrNotTtlDeletedThem()
    {
        var settings = TestSettings.Circuit(failureRatio: 0.5, minimumThroughput: 10);
        await SeedAsync(settings, successes: 0, failures: 50, ago: settings.Policy.Window + TimeSpan.FromSeconds(2));
        await SeedAsync(settings, successes: 1000, failures: 0, ago: settings.Policy.Window + TimeSpan.FromSeconds(2));
        await SeedAsync(settings, successes: 5, failures: 4);

        var verdict = await EvaluateAsync(settings);

        Assert.False(verdict.Opens);
        Assert.Equal(9, verdict.Calls);
    }

    [Fact]
    public async Task ARatioOfOneOpensOnlyWhenNoCallSucceeded()
    {
        var settings = TestSettings.Circuit(failureRatio: 1, minimumThroughput: 5);
        await SeedAsync(settings, successes: 1, failures: 50);

        Assert.False((await EvaluateAsync(settings)).Opens);
    }

    [Theory]
    [InlineData(0.1, 10, 0, 10)]
    [InlineData(0.1, 10, 9, 1)]
    [InlineData(0.1, 10, 270, 30)]
    [InlineData(0.5, 100, 300, 300)]
    [InlineData(0.25, 4, 3, 1)]
    [InlineData(1.0, 7, 3, 7)]
    public void FailuresAreCountedOnlyAsFarAsTheDecisionNeeds(double ratio, int minimumThroughput, long successes, int expectedLimit)
    {
        var rule = new FailureRatioRule(_store, TestSettings.Policy(failureRatio: ratio, minimumThroughput: minimumThroughput));

        Assert.Equal(expectedLimit, rule.FailuresToOpen(successes));
    }

    [Fact]
    public void CountModeSettingsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new FailureRatioRule(_store, TestSettings.Policy()));
    }
}
