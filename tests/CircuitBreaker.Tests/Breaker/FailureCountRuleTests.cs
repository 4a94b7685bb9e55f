using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Breaker;

public sealed class FailureCountRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly TestCircuitStore _store = new();
    private readonly CircuitSettings _settings = TestSettings.Circuit(threshold: 3);

    private async Task FailAsync(int failures)
    {
        for (var i = 0; i < failures; i++)
        {
            await _store.RecordFailureAsync(new FailureRecord(_settings.ServiceId, Guid.NewGuid().ToString(), Now, Now + TimeSpan.FromHours(1), FailureReasons.Timeout), CancellationToken.None);
        }
    }

    [Fact]
    public async Task TheThresholdOpensWhateverTheSuccessesAndBelowItNothingDoes()
    {
        await _store.AddSuccessesAsync(new SuccessCount(_settings.ServiceId, Now, 1_000_000, Now, SuccessFlushIds.New()), CancellationToken.None);
        var rule = new FailureCountRule(_store, _settings.Policy);
        await FailAsync(2);

        var below = await rule.EvaluateAsync(_settings.ServiceId, Now - _settings.Policy.Window, Now, CancellationToken.None);
        await FailAsync(5);
        var at = await rule.EvaluateAsync(_settings.ServiceId, Now - _settings.Policy.Window, Now, CancellationToken.None);

        Assert.Equal(new OpeningVerdict(false, 2, null, string.Empty), below);
        Assert.Equal(new OpeningVerdict(true, 3, null, "3 failures within 60 s, threshold 3"), at);
    }

    [Fact]
    public void TheSettingsPickTheRule()
    {
        Assert.IsType<FailureCountRule>(OpeningRules.For(_store, _settings.Policy));
        Assert.IsType<FailureRatioRule>(OpeningRules.For(_store, _settings.Policy with { FailureRatio = 0.5 }));
    }
}
