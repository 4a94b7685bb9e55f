using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests.Contract;

/// <summary>The stale and static modes' settings: one name each, defaults, validation, and the functions' environment.</summary>
public sealed class WhenOpenSettingsTests
{
    private static CircuitSettingsResult Read(params (CircuitSetting Setting, string Value)[] values) =>
        CircuitSettingsReader.Read(
            setting => setting == CircuitSettingKeys.DownstreamUrl ? "https://x.test" : values.FirstOrDefault(v => v.Setting == setting).Value,
            setting => $"config '{setting.ConfigKey}'");

    [Fact]
    public void TheSettingsHaveOneNameEverywhere()
    {
        Assert.Equal(
            [("staleSeconds", "STALE_SECONDS"), ("staleRefreshSeconds", "STALE_REFRESH_SECONDS"), ("staticStatus", "STATIC_STATUS"),
             ("staticContentType", "STATIC_CONTENT_TYPE"), ("staticBody", "STATIC_BODY")],
            new[] { CircuitSettingKeys.StaleSeconds, CircuitSettingKeys.StaleRefreshSeconds, CircuitSettingKeys.StaticStatus, CircuitSettingKeys.StaticContentType, CircuitSettingKeys.StaticBody }
                .Select(setting => (setting.ConfigKey, setting.EnvironmentVariable)));
        Assert.All(
            [CircuitSettingKeys.StaleSeconds, CircuitSettingKeys.StaleRefreshSeconds, CircuitSettingKeys.StaticStatus, CircuitSettingKeys.StaticContentType, CircuitSettingKeys.StaticBody],
            setting =>
            {
                Assert.Contains(setting, CircuitSettingKeys.All);
                Assert.Contains(setting, CircuitSettingKeys.Target);
                Assert.Contains(setting, RouteKeys.PerRouteSettings);
            });
    }

    [Fact]
    public void TheDefaultsKeepAnAnswerAnHourRefreshEveryMinuteAndAnswer503Json()
    {
        var target = Read().Settings!.Target;

        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)), (target.StaleFor, target.StaleRefresh));
        Assert.Equal((503, "application/json"), (target.StaticStatus, target.StaticContentType));
        using var body = System.Text.Json.JsonDocument.Parse(target.StaticBody);
        Assert.Equal(503, body.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("STALE_SECONDS", Read().Settings!.ToEnvironment().Keys);
    }

    [Fact]
    public void SetValuesSurviveTheEnvironment()
    {
        var settings = Read(
            (CircuitSettingKeys.WhenOpen, "static"),
            (CircuitSettingKeys.StaleSeconds, "86400"),
            (CircuitSettingKeys.StaleRefreshSeconds, "0.5"),
            (CircuitSettingKeys.StaticStatus, "200"),
            (CircuitSettingKeys.StaticContentType, "text/html; charset=utf-8"),
            (CircuitSettingKeys.StaticBody, "<p>later, ünïcode</p>")).Settings!;
        var environment = settings.ToEnvironment();

        var reread = CircuitSettingsReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable).Settings!.Target;

        Assert.Equal(settings.Target, reread with { DownstreamUrl = settings.Target.DownstreamUrl });
        Assert.Equal((TimeSpan.FromDays(1), TimeSpan.FromSeconds(0.5), 200), (reread.StaleFor, reread.StaleRefresh, reread.StaticStatus));
        Assert.Equal(("text/html; charset=utf-8", "<p>later, ünïcode</p>"), (reread.StaticContentType, reread.StaticBody));
    }

    [Fact]
    public void ARefreshLongerThanTheAnswerLivesIsRejected()
    {
        var error = Assert.Single(Read((CircuitSettingKeys.StaleSeconds, "60"), (CircuitSettingKeys.StaleRefreshSeconds, "61")).Errors);

        Assert.StartsWith("config 'staleRefreshSeconds' is 61:", error, StringComparison.Ordinal);
        Assert.Contains("config 'staleSeconds' (60)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("staleSeconds", "0")]
    [InlineData("staleSeconds", "soon")]
    [InlineData("staleRefreshSeconds", "-1")]
    [InlineData("staticStatus", "199")]
    [InlineData("staticStatus", "600")]
    [InlineData("staticStatus", "2OO")]
    [InlineData("staticContentType", "json")]
    [InlineData("staticContentType", "text/plain\r\nx-injected: 1")]
    [InlineData("staticContentType", "text/plain; é")]
    public void AValueOutsideItsFormIsRejectedNamingTheSetting(string key, string value)
    {
        var setting = CircuitSettingKeys.All.Single(s => s.ConfigKey == key);

        var error = Assert.Single(Read((setting, value)).Errors);

        Assert.StartsWith($"config '{key}' is ", error, StringComparison.Ordinal);
        Assert.EndsWith($"expected {setting.ExpectedForm}.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AStaticBodyLongerThanTheEnvironmentAffordsIsRejected()
    {
        var error = Assert.Single(Read((CircuitSettingKeys.StaticBody, new string('é', 1025))).Errors);

        Assert.Equal($"config 'staticBody' is 2050 bytes long: expected {CircuitSettingKeys.StaticBody.ExpectedForm}.", error);
    }
}
