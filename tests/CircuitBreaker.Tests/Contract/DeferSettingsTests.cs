using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.EventBridge;

namespace CircuitBreaker.Tests.Contract;

/// <summary>The defer mode's settings: one name each, defaults, bounds, and the round trip through the environment.</summary>
public sealed class DeferSettingsTests
{
    private static CircuitSettingsResult Read(params (CircuitSetting Setting, string Value)[] values) =>
        CircuitSettingsReader.Read(
            setting => values.FirstOrDefault(v => v.Setting == setting).Value,
            setting => $"config '{setting.ConfigKey}'");

    [Fact]
    public void EachSettingHasOneNameInEveryForm()
    {
        Assert.Equal(
            new[] { ("deferMethods", "DEFER_METHODS"), ("deferMaxBodyBytes", "DEFER_MAX_BODY_BYTES"), ("deferSeconds", "DEFER_SECONDS"), ("deferMaxAttempts", "DEFER_MAX_ATTEMPTS"), ("deferReplayPerSecond", "DEFER_REPLAY_PER_SECOND") },
            new[] { CircuitSettingKeys.DeferMethods, CircuitSettingKeys.DeferMaxBodyBytes, CircuitSettingKeys.DeferSeconds, CircuitSettingKeys.DeferMaxAttempts, CircuitSettingKeys.DeferReplayPerSecond }
                .Select(setting => (setting.ConfigKey, setting.EnvironmentVariable)));
        Assert.Contains(CircuitSettingKeys.DeferReplayPerSecond, CircuitSettingKeys.All);
        Assert.Contains(CircuitSettingKeys.DeferMethods, RouteKeys.PerRouteSettings);
        Assert.Contains("deferMaxAttempts", RouteKeys.All);
    }

    [Fact]
    public void TheDefaultsDeferEveryWriteForADayReplayingTenASecond()
    {
        var defer = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test")).Settings!.Target.Defer;

        Assert.Equal(["POST", "PUT", "PATCH", "DELETE"], defer.Methods);
        Assert.Equal((262144, TimeSpan.FromDays(1), 5, 10d), (defer.MaxBodyBytes, defer.Retention, defer.MaxAttempts, defer.ReplayPerSecond));
        Assert.DoesNotContain(Read((CircuitSettingKeys.DownstreamUrl, "https://x.test")).Settings!.ToEnvironment().Keys, key => key.StartsWith("DEFER_", StringComparison.Ordinal));
    }

    [Fact]
    public void SettingsOtherThanTheDefaultsSurviveTheEnvironment()
    {
        var settings = Read(
            (CircuitSettingKeys.DownstreamUrl, "https://x.test"),
            (CircuitSettingKeys.WhenOpen, "defer"),
            (CircuitSettingKeys.DeferMethods, "POST, PUT"),
            (CircuitSettingKeys.DeferMaxBodyBytes, "1000"),
            (CircuitSettingKeys.DeferSeconds, "3600"),
            (CircuitSettingKeys.DeferMaxAttempts, "2"),
            (CircuitSettingKeys.DeferReplayPerSecond, "0.5")).Settings!;
        var environment = settings.ToEnvironment();
        var reread = CircuitSettingsReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable).Settings!;

        Assert.Equal(settings.Target.Defer, reread.Target.Defer);
        Assert.Equal(["POST", "PUT"], reread.Target.Defer.Methods);
        Assert.Equal((1000, TimeSpan.FromHours(1), 2, 0.5), (reread.Target.Defer.MaxBodyBytes, reread.Target.Defer.Retention, reread.Target.Defer.MaxAttempts, reread.Target.Defer.ReplayPerSecond));
        Assert.True(reread.Target.Defer.Defers("PUT"));
        Assert.False(reread.Target.Defer.Defers("PATCH"));
        Assert.False(reread.Target.Defer.Defers("put"));
    }

    [Theory]
    [InlineData("deferMethods", "post")]
    [InlineData("deferMethods", ",")]
    [InlineData("deferMaxBodyBytes", "0")]
    [InlineData("deferMaxBodyBytes", "307201")]
    [InlineData("deferSeconds", "-1")]
    [InlineData("deferMaxAttempts", "0")]
    [InlineData("deferReplayPerSecond", "0")]
    [InlineData("deferReplayPerSecond", "fast")]
    public void AnInvalidValueIsOneErrorNamingTheSetting(string key, string value)
    {
        var setting = CircuitSettingKeys.All.Single(s => s.ConfigKey == key);

        var error = Assert.Single(Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (setting, value)).Errors);

        Assert.StartsWith($"config '{key}' is", error, StringComparison.Ordinal);
        Assert.Contains(setting.ExpectedForm, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReplayersRuleMatchesACloseByItsDetailAndNothingElse()
    {
        var rule = EventPatternMatcher.Parse(EventPatterns.ReplayOnClose);

        Assert.Equal(
            """{"source":["circuit-breaker"],"detail-type":["Circuit State Changed","Deferred Replay Requested"],"detail":{"to":["closed"]}}""",
            EventPatterns.ReplayOnClose);
        Assert.True(rule.Matches("""{"source":"circuit-breaker","detail-type":"Circuit State Changed","detail":{"serviceId":"a","from":"half-open","to":"closed"}}"""));
        Assert.True(rule.Matches("""{"source":"circuit-breaker","detail-type":"Deferred Replay Requested","detail":{"serviceId":"a","to":"closed"}}"""));
        Assert.False(rule.Matches("""{"source":"circuit-breaker","detail-type":"Circuit State Changed","detail":{"serviceId":"a","from":"half-open","to":"open"}}"""));
        Assert.False(rule.Matches("""{"source":"circuit-breaker","detail-type":"Circuit State Changed","detail":{"serviceId":"a"}}"""));
        Assert.False(rule.Matches("""{"source":"circuit-breaker.webservice","detail-type":"Circuit State Changed","detail":{"to":"closed"}}"""));
        Assert.False(EventPatternMatcher.Parse(StateChangeEvents.EventPattern).Matches("""{"source":"circuit-breaker","detail-type":"Deferred Replay Requested","detail":{"to":"closed"}}"""));
    }

    [Fact]
    public void TheLocalHostTakesEachAsAnOptionAndPerRoute()
    {
        var options = CircuitBreaker.Local.Cli.LocalOptionsParser.Parse(
            ["--downstream", "http://x.test/", "--when-open", "defer", "--defer-methods", "POST", "--defer-replay-per-second", "2", "--defer-max-attempts", "3"]).Options!;
        var routed = CircuitBreaker.Local.Cli.LocalOptionsParser.Parse(
            ["--route", "/orders=http://x.test/,whenOpen=defer,deferMaxBodyBytes=100"]).Options!;

        var defer = options.SettingsFor(new Uri("http://x.test/")).Target.Defer;
        Assert.Equal(WhenOpenMode.Defer, options.SettingsFor(new Uri("http://x.test/")).Target.WhenOpen);
        Assert.Equal(["POST"], defer.Methods);
        Assert.Equal((2d, 3), (defer.ReplayPerSecond, defer.MaxAttempts));
        var route = routed.Routes!.TableFor(_ => null).Routes[0].Circuit.Target;
        Assert.Equal((WhenOpenMode.Defer, 100), (route.WhenOpen, route.Defer.MaxBodyBytes));
    }
}
