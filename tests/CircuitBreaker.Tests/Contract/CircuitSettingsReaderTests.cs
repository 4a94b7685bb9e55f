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
            (CircuitSettingKeys.ServiceId, "payments")).Settings!;

        var environment = original.ToEnvironment();
        var reread = CircuitSettingsReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable).Settings;

        Assert.Equal(original, reread);
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
}
