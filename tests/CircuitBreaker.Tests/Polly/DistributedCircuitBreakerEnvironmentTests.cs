using System.ComponentModel.DataAnnotations;
using CircuitBreaker.Polly;

namespace CircuitBreaker.Tests.Polly;

public sealed class DistributedCircuitBreakerEnvironmentTests
{
    [Fact]
    public void SetVariablesReplaceTheOptionsAndUnsetOnesLeaveThemAlone()
    {
        var environment = new Dictionary<string, string>
        {
            ["SERVICE_ID"] = "orders-api",
            ["FAILURE_RATIO"] = "0.25",
            ["MINIMUM_THROUGHPUT"] = "40",
            ["WINDOW_SECONDS"] = "30",
            ["MAX_OPEN_SECONDS"] = "240",
            ["SLOW_CALL_SECONDS"] = "1.5",
            ["FAIL_OPEN"] = "false",
        };
        var options = new DistributedCircuitBreakerStrategyOptions { FailureThreshold = 7, OpenDuration = TimeSpan.FromSeconds(45) };

        var applied = options.ApplyEnvironment(environment.GetValueOrDefault);

        Assert.Same(options, applied);
        Assert.Equal("orders-api", options.ServiceId);
        Assert.Equal(0.25, options.FailureRatio);
        Assert.Equal(40, options.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Window);
        Assert.Equal(TimeSpan.FromSeconds(240), options.MaxOpenDuration);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.SlowCallThreshold);
        Assert.False(options.FailOpen);
        Assert.Equal(7, options.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(45), options.OpenDuration);
    }

    [Fact]
    public void AnInvalidVariableIsNamedWithItsExpectedFormAndNothingIsApplied()
    {
        var environment = new Dictionary<string, string> { ["FAILURE_THRESHOLD"] = "three", ["WINDOW_SECONDS"] = "20" };
        var options = new DistributedCircuitBreakerStrategyOptions();

        var error = Assert.Throws<ValidationException>(() => options.ApplyEnvironment(environment.GetValueOrDefault));

        Assert.Contains("FAILURE_THRESHOLD is 'three'", error.Message, StringComparison.Ordinal);
        Assert.Contains("a whole number of at least 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Window);
    }

    [Fact]
    public void RulesAcrossSettingsHoldForTheCombinationTheOptionsWouldGet()
    {
        var environment = new Dictionary<string, string> { ["MAX_OPEN_SECONDS"] = "20" };
        var options = new DistributedCircuitBreakerStrategyOptions { OpenDuration = TimeSpan.FromSeconds(30) };

        var error = Assert.Throws<ValidationException>(() => options.ApplyEnvironment(environment.GetValueOrDefault));

        Assert.Contains("MAX_OPEN_SECONDS", error.Message, StringComparison.Ordinal);
        Assert.Null(options.MaxOpenDuration);
    }
}
