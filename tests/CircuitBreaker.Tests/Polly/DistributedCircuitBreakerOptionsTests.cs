using System.ComponentModel.DataAnnotations;
using CircuitBreaker.Polly;
using Polly;
using Polly.CircuitBreaker;
using Polly.Testing;
using static CircuitBreaker.Tests.Polly.PollyTestCircuits;

namespace CircuitBreaker.Tests.Polly;

public sealed class DistributedCircuitBreakerOptionsTests
{
    [Fact]
    public void ThePipelineDescriptorShowsTheStrategyWithItsOptions()
    {
        var time = NewClock();
        var options = Options(time);
        options.Circuit = new InMemoryDistributedCircuit(options);

        var descriptor = Pipeline(options).GetPipelineDescriptor();

        var strategy = Assert.Single(descriptor.Strategies);
        Assert.Same(options, strategy.Options);
        Assert.Equal("DistributedCircuitBreaker", strategy.Options!.Name);
        Assert.Contains("DistributedCircuitBreakerResilienceStrategy", strategy.StrategyInstance.GetType().Name, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGenericBuilderTakesTheStrategyToo()
    {
        var time = NewClock();
        var options = new DistributedCircuitBreakerStrategyOptions<HttpResponseMessage> { ServiceId = ServiceId, TimeProvider = time };
        options.Circuit = new InMemoryDistributedCircuit(options);

        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(TimeSpan.FromSeconds(1))
            .AddDistributedCircuitBreaker(options)
            .Build();

        var descriptor = pipeline.GetPipelineDescriptor();
        Assert.Equal(2, descriptor.Strategies.Count);
        Assert.Same(options, descriptor.Strategies[1].Options);
    }

    [Fact]
    public void DefaultsFollowTheStacksSettingsAndPollysHandling()
    {
        var options = new DistributedCircuitBreakerStrategyOptions();

        Assert.Equal(3, options.FailureThreshold);
        Assert.Null(options.FailureRatio);
        Assert.Equal(100, options.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Window);
        Assert.Equal(TimeSpan.FromSeconds(60), options.OpenDuration);
        Assert.Null(options.MaxOpenDuration);
        Assert.Null(options.SlowCallThreshold);
        Assert.True(options.FailOpen);
        Assert.Null(options.TimeProvider);
    }

    [Fact]
    public async Task DefaultShouldHandleCountsExceptionsButNotCancellationNorResults()
    {
        var options = new DistributedCircuitBreakerStrategyOptions();
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);

        Assert.True(await options.ShouldHandle(new CircuitBreakerPredicateArguments<object>(context, Outcome.FromException<object>(new InvalidOperationException()))));
        Assert.False(await options.ShouldHandle(new CircuitBreakerPredicateArguments<object>(context, Outcome.FromException<object>(new OperationCanceledException()))));
        Assert.False(await options.ShouldHandle(new CircuitBreakerPredicateArguments<object>(context, Outcome.FromResult<object>("fine"))));
    }

    [Theory]
    [InlineData(nameof(DistributedCircuitBreakerSettings.ServiceId))]
    [InlineData(nameof(DistributedCircuitBreakerSettings.FailureThreshold))]
    [InlineData(nameof(DistributedCircuitBreakerSettings.FailureRatio))]
    [InlineData(nameof(DistributedCircuitBreakerSettings.MinimumThroughput))]
    [InlineData(nameof(DistributedCircuitBreakerSettings.Window))]
    [InlineData(nameof(DistributedCircuitBreakerSettings.OpenDuration))]
    [InlineData(nameof(DistributedCircuitBreakerSettings.MaxOpenDuration))]
    [InlineData(nameof(DistributedCircuitBreakerSettings.SlowCallThreshold))]
    [InlineData(nameof(DistributedCircuitBreakerStrategyOptions.ShouldHandle))]
    public void AnInvalidSettingIsRefusedNamingIt(string setting)
    {
        var time = NewClock();
        var options = Options(time);
        options.Circuit = new InMemoryDistributedCircuit(options);
        switch (setting)
        {
            case nameof(options.ServiceId): options.ServiceId = "orders api/v1"; break;
            case nameof(options.FailureThreshold): options.FailureThreshold = 0; break;
            case nameof(options.FailureRatio): options.FailureRatio = 0; break;
            case nameof(options.MinimumThroughput): options.MinimumThroughput = 0; break;
            case nameof(options.Window): options.Window = TimeSpan.Zero; break;
            case nameof(options.OpenDuration): options.OpenDuration = TimeSpan.FromSeconds(-1); break;
            case nameof(options.MaxOpenDuration): options.MaxOpenDuration = TimeSpan.FromSeconds(10); break;
            case nameof(options.SlowCallThreshold): options.SlowCallThreshold = TimeSpan.Zero; break;
            case nameof(options.ShouldHandle): options.ShouldHandle = null!; break;
        }

        // Like Polly's own strategies, the options are validated as the strategy is added to the builder.
        var error = Assert.Throws<ValidationException>(() => new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(options));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TableAndBusNamesAreRequiredWithoutACircuitAndNameTheirEnvironmentVariables()
    {
        // Explicit blanks stand for "unset": the test cannot rely on TABLE_NAME being absent from its environment.
        var options = new DistributedCircuitBreakerStrategyOptions { ServiceId = ServiceId };
        if (Environment.GetEnvironmentVariable("TABLE_NAME") is not null || Environment.GetEnvironmentVariable("EVENT_BUS_NAME") is not null)
        {
            Assert.Skip("TABLE_NAME or EVENT_BUS_NAME is set in this environment, so the defaults are not missing.");
        }

        var error = Assert.Throws<ValidationException>(() => new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(options));

        Assert.Contains("TABLE_NAME", error.Message, StringComparison.Ordinal);
        Assert.Contains("EVENT_BUS_NAME", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutACircuitTheAwsBackendNeedsTheRegion()
    {
        if (Environment.GetEnvironmentVariable("AWS_REGION") is not null)
        {
            Assert.Skip("AWS_REGION is set in this environment, so the region is not missing.");
        }

        var options = new DistributedCircuitBreakerStrategyOptions { ServiceId = ServiceId, TableName = "breaker", EventBusName = "failures" };

        var error = Assert.Throws<ValidationException>(() => new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(options));

        Assert.Contains("AWS_REGION", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACircuitOfAnotherServiceIsRefused()
    {
        var time = NewClock();
        var other = Options(time);
        other.ServiceId = "payments";
        var options = Options(time, new InMemoryDistributedCircuit(other));

        var error = Assert.Throws<ValidationException>(() => Pipeline(options));

        Assert.Contains("payments", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(null!));
        Assert.Throws<ArgumentNullException>(() => new ResiliencePipelineBuilder<int>().AddDistributedCircuitBreaker(null!));
        Assert.Throws<ArgumentNullException>(() => ((ResiliencePipelineBuilder)null!).AddDistributedCircuitBreaker(new DistributedCircuitBreakerStrategyOptions()));
    }
}
