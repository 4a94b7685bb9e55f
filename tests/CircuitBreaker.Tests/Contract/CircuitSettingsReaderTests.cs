using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests.Contract;

public sealed class CircuitSettingsReaderTests
{
    private static CircuitSettingsResult Read(params (CircuitSetting Setting, string Value)[] values) =>
        CircuitSettingsReader.Read(
            setting => values.FirstOrDefault(v => v.Setting == setting).Value,
            setting => $"config '{setting.ConfigKey}'");

    [Fact]
    public void SettingsRoundTripThroughTheFunctionsEnvironment()
    {
        var original = Read(
            (CircuitSettingKeys.DownstreamUrl, "http://slow.test/slow"),
            (CircuitSettingKeys.DownstreamTimeoutSeconds, "0.25"),
            (CircuitSettingKeys.FailureThreshold, "5"),
            (CircuitSettingKeys.WindowSeconds, "90"),
            (CircuitSettingKeys.OpenSeconds, "1.5"),
            (CircuitSettingKeys.FailOpen, "false"),
            (CircuitSettingKeys.ServiceId, "payments"),
            (CircuitSettingKeys.FailureRatio, "0.25"),
            (CircuitSettingKeys.MinimumThroughput, "40"),
            (CircuitSettingKeys.SlowCallSeconds, "0.05"),
            (CircuitSettingKeys.MaxOpenSeconds, "12"),
            (CircuitSettingKeys.MetricsNamespace, "Team/Breakers"),
            (CircuitSettingKeys.ForwardedHeaders, "true"),
            (CircuitSettingKeys.RequestHeadersToDrop, "X-Internal, x-debug"),
            (CircuitSettingKeys.ResponseHeadersToDrop, "server"),
            (CircuitSettingKeys.RequestHeadersAllowed, "accept,authorization"),
            (CircuitSettingKeys.AllowEncodedSlash, "true")).Settings!;

        var environment = original.ToEnvironment();
        var reread = CircuitSettingsReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable).Settings;

        Assert.Equal(original, reread);
        Assert.Equal("x-internal,x-debug", environment["REQUEST_HEADERS_TO_DROP"]);
    }

    [Fact]
    public void TheDownstreamUrlIsRequired()
    {
        var result = Read();

        Assert.False(result.IsValid);
        Assert.Equal("config 'downstreamUrl' is required: expected an absolute http or https URL.", Assert.Single(result.Errors));
    }

    [Fact]
    public void ATimeoutThatCannotFitApiGatewaysLimitIsRejected()
    {
        var result = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.DownstreamTimeoutSeconds, "29"));

        var error = Assert.Single(result.Errors);
        Assert.Contains("at most 28 s", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("payments-v2.eu:primary", true)]
    [InlineData("has space", false)]
    [InlineData("", false)]
    public void ServiceIdsAreRestrictedToKeySafeCharacters(string serviceId, bool valid) =>
        Assert.Equal(valid, CircuitSettingsReader.IsValidServiceId(serviceId));

    [Fact]
    public void TheWebserviceTimeoutCoversTheDownstreamTimeoutAndTheReserve()
    {
        var settings = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.DownstreamTimeoutSeconds, "10.5")).Settings!;

        Assert.Equal(13, settings.WebserviceTimeoutSeconds);
    }

    [Theory]
    [InlineData("http://admin:hunter2@x.test/", "http://***@x.test/")]
    [InlineData("https://hunter2@x.test", "https://***@x.test")]
    [InlineData("http://admin:hunter2@x.test:8080/p?q=1", "http://***@x.test:8080/p?q=1")]
    [InlineData("http://a:b@c:hunter2@x.test/", "http://***@x.test/")]
    public void ADownstreamUrlWithUserInformationIsRefusedAndTheMessageHidesIt(string url, string shown)
    {
        var result = Read((CircuitSettingKeys.DownstreamUrl, url));

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Contains("must not contain user information (user:password@)", error, StringComparison.Ordinal);
        Assert.Contains($"'{shown}'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://admin:hunter2@x.test/")]
    [InlineData("http://admin:hunter2@")]
    [InlineData("admin:hunter2@x.test")]
    public void AnInvalidDownstreamUrlIsQuotedWithoutItsCredentials(string url)
    {
        var error = Assert.Single(Read((CircuitSettingKeys.DownstreamUrl, url)).Errors);

        Assert.Contains("config 'downstreamUrl'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://x.test/a@b", "http://x.test/a@b")]
    [InlineData("http://x.test/?to=a@b", "http://x.test/?to=a@b")]
    [InlineData("http://u:p@x.test/a@b", "http://***@x.test/a@b")]
    public void OnlyTheAuthoritysUserInformationIsMasked(string raw, string shown) =>
        Assert.Equal(shown, UrlRedaction.WithoutUserInfo(raw));

    [Fact]
    public void UnsetOptionalSettingsStayUnsetThroughTheEnvironment()
    {
        var original = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.OpenSeconds, "7")).Settings!;

        var environment = original.ToEnvironment();
        var reread = CircuitSettingsReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable).Settings!;

        Assert.Null(reread.Policy.FailureRatio);
        Assert.Null(reread.Policy.SlowCallThreshold);
        Assert.Equal(TimeSpan.FromSeconds(7), reread.Policy.MaxOpenDuration);
        Assert.Equal(CircuitSettingKeys.MetricsNamespace.DefaultValue, reread.Policy.MetricsNamespace);
        Assert.False(environment.ContainsKey(CircuitSettingKeys.FailureRatio.EnvironmentVariable));
        Assert.Equal((false, false, true, true, null), (reread.Target.ForwardedHeaders, reread.Target.AllowEncodedSlash, reread.Target.RequestHeadersToDrop.IsEmpty, reread.Target.ResponseHeadersToDrop.IsEmpty, reread.Target.RequestHeadersAllowed));
        Assert.DoesNotContain(environment.Keys, key => key is "FORWARDED_HEADERS" or "ALLOW_ENCODED_SLASH" or "REQUEST_HEADERS_TO_DROP" or "RESPONSE_HEADERS_TO_DROP" or "REQUEST_HEADERS_ALLOWED");
    }

    [Theory]
    [InlineData("reject", WhenOpenMode.Reject)]
    [InlineData("stale", WhenOpenMode.Stale)]
    [InlineData("defer", WhenOpenMode.Defer)]
    [InlineData("static", WhenOpenMode.Static)]
    public void WhenOpenNamesAModeAndSurvivesTheEnvironment(string value, WhenOpenMode mode)
    {
        var settings = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.WhenOpen, value)).Settings!;
        var environment = settings.ToEnvironment();
        var reread = CircuitSettingsReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable).Settings!;

        Assert.Equal((mode, mode), (settings.Target.WhenOpen, reread.Target.WhenOpen));
        Assert.Equal(mode != WhenOpenMode.Reject, environment.ContainsKey("WHEN_OPEN"));
    }

    [Theory]
    [InlineData("Stale")]
    [InlineData("fallback")]
    public void AWhenOpenThatNamesNoModeIsRejectedListingTheModes(string value)
    {
        var error = Assert.Single(Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.WhenOpen, value)).Errors);

        Assert.StartsWith("config 'whenOpen' is", error, StringComparison.Ordinal);
        Assert.Contains("one of reject, stale, defer, static", error, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderListsAreCommaSeparatedNamesComparedWithoutCase()
    {
        var settings = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.RequestHeadersToDrop, " X-A ,x-b,,x-a ")).Settings!;

        Assert.Equal(["x-a", "x-b"], settings.Target.RequestHeadersToDrop.Names);
        Assert.True(settings.Target.RequestHeadersToDrop.Contains("X-B"));
        Assert.False(settings.Target.RequestHeadersToDrop.Contains("x-c"));
    }

    [Theory]
    [InlineData("requestHeadersToDrop", "x-ok, not a name", "'not a name' is not a header name")]
    [InlineData("responseHeadersToDrop", "x-ok,x:colon", "'x:colon' is not a header name")]
    [InlineData("requestHeadersAllowed", " , ", "it names no header")]
    public void AHeaderListOfAnythingButHeaderNamesIsRejectedNamingTheSetting(string key, string value, string why)
    {
        var setting = CircuitSettingKeys.All.Single(s => s.ConfigKey == key);

        var error = Assert.Single(Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (setting, value)).Errors);

        Assert.StartsWith($"config '{key}' is '", error, StringComparison.Ordinal);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.EndsWith($"expected {setting.ExpectedForm}.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forwardedHeaders")]
    [InlineData("allowEncodedSlash")]
    public void TheRelaysSwitchesAreTrueOrFalse(string key)
    {
        var setting = CircuitSettingKeys.All.Single(s => s.ConfigKey == key);

        var error = Assert.Single(Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (setting, "yes")).Errors);

        Assert.Equal($"config '{key}' is 'yes': expected true or false.", error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("half")]
    public void AFailureRatioOutsideZeroToOneIsRejected(string ratio)
    {
        var result = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.FailureRatio, ratio));

        Assert.Equal($"config 'failureRatio' is '{ratio}': expected {CircuitSettingKeys.FailureRatio.ExpectedForm}.", Assert.Single(result.Errors));
    }

    [Fact]
    public void ASlowCallThresholdMustBeBelowTheTimeout()
    {
        var result = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.DownstreamTimeoutSeconds, "2"), (CircuitSettingKeys.SlowCallSeconds, "2"));

        Assert.Contains("must be below config 'downstreamTimeoutSeconds' (2)", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void TheOpenPeriodsCapCannotBeBelowTheOpenPeriod()
    {
        var result = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.OpenSeconds, "30"), (CircuitSettingKeys.MaxOpenSeconds, "10"));

        Assert.Contains("cannot be below config 'openSeconds' (30)", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AWS/Lambda")]
    [InlineData("bad\u0001name")]
    public void ReservedOrUnprintableMetricNamespacesAreRejected(string value)
    {
        var result = Read((CircuitSettingKeys.DownstreamUrl, "https://x.test"), (CircuitSettingKeys.MetricsNamespace, value));

        Assert.Contains("config 'metricsNamespace'", Assert.Single(result.Errors), StringComparison.Ordinal);
    }
}
