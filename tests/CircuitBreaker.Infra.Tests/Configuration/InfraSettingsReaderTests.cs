using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Tests.Configuration;

public sealed class InfraSettingsReaderTests
{
    private const string Project = "circuit-breaker";

    [Fact]
    public void DefaultsApplyWhenOnlyTheDownstreamIsSet()
    {
        var settings = Read(new() { ["downstreamUrl"] = "http://10.255.255.1/" });

        Assert.Equal(new Uri("http://10.255.255.1/"), settings.Routes.Routes[0].Circuit.Target.DownstreamUrl);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Routes.Routes[0].Circuit.Target.DownstreamTimeout);
        Assert.Equal(3, settings.Routes.Routes[0].Circuit.Policy.FailureThreshold);
        Assert.Equal(LambdaArchitecture.Arm64, settings.Architecture);
        Assert.True(settings.NativeAot);
        Assert.Equal(256, settings.MemorySizeMb);
        Assert.Equal(10, settings.RecorderTimeoutSeconds);
        Assert.Equal(14, settings.LogRetentionDays);
        Assert.Equal(100, settings.ThrottlingBurstLimit);
        Assert.Equal(50d, settings.ThrottlingRateLimit);
        Assert.Equal(8, settings.EventRetryAttempts);
        Assert.Equal(3600, settings.EventMaxAgeSeconds);
        Assert.Null(settings.ArtifactPath);
        Assert.Equal(DeploymentMode.Full, settings.Mode);
        Assert.Null(settings.AlarmEmail);
        Assert.Equal("CircuitBreaker", settings.Routes.Routes[0].Circuit.Policy.MetricsNamespace);
    }

    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        foreach (var setting in InfraSettingKeys.All.Where(setting => setting.DefaultValue is not null))
        {
            var explicitly = Read(new() { ["downstreamUrl"] = "https://example.com/", [setting.ConfigKey] = setting.DefaultValue });
            var byDefault = Read(new() { ["downstreamUrl"] = "https://example.com/" });
            Assert.Equal(byDefault with { Routes = explicitly.Routes }, explicitly);
            Assert.Equal(byDefault.Routes.ToEnvironment(), explicitly.Routes.ToEnvironment());
        }
    }

    [Fact]
    public void EverySettingIsRead()
    {
        var settings = Read(new()
        {
            ["downstreamUrl"] = "https://example.com/",
            ["architecture"] = "X86_64",
            ["nativeAot"] = "false",
            ["memorySize"] = "1024",
            ["recorderTimeoutSeconds"] = "30",
            ["logRetentionDays"] = "365",
            ["throttlingBurstLimit"] = "10",
            ["throttlingRateLimit"] = "2.5",
            ["eventRetryAttempts"] = "0",
            ["eventMaxAgeSeconds"] = "60",
        });

        Assert.Equal(LambdaArchitecture.X64, settings.Architecture);
        Assert.False(settings.NativeAot);
        Assert.Equal(1024, settings.MemorySizeMb);
        Assert.Equal(30, settings.RecorderTimeoutSeconds);
        Assert.Equal(365, settings.LogRetentionDays);
        Assert.Equal(10, settings.ThrottlingBurstLimit);
        Assert.Equal(2.5d, settings.ThrottlingRateLimit);
        Assert.Equal(0, settings.EventRetryAttempts);
        Assert.Equal(60, settings.EventMaxAgeSeconds);
    }

    [Fact]
    public void ArtifactPathMustHoldABootstrap()
    {
        var folder = Directory.CreateTempSubdirectory("infra-settings-").FullName;
        try
        {
            var error = Assert.Throws<StackConfigurationException>(() => Read(new() { ["downstreamUrl"] = "https://example.com/", ["artifactPath"] = folder }));
            Assert.Contains($"config '{Project}:artifactPath'", error.Message, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(folder, "bootstrap"), "stand-in");
            Assert.Equal(folder, Read(new() { ["downstreamUrl"] = "https://example.com/", ["artifactPath"] = folder }).ArtifactPath);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EveryProblemIsListedWithItsKeyAndExpectedForm()
    {
        var error = Assert.Throws<StackConfigurationException>(() => Read(new()
        {
            ["downstreamUrl"] = "not a url",
            ["failureThreshold"] = "0",
            ["memorySize"] = "lots",
            ["logRetentionDays"] = "2",
        }));

        Assert.Equal(4, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.StartsWith($"config '{Project}:{CircuitSettingKeys.DownstreamUrl.ConfigKey}'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith($"config '{Project}:failureThreshold' is '0'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains(InfraSettingKeys.MemorySize.ExpectedForm, StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("one of 1, 3, 5, 7, 14", StringComparison.Ordinal));
        Assert.All(error.Errors, e => Assert.Contains(e, error.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("downstreamTimeoutSeconds", "28.5")]
    [InlineData("recorderTimeoutSeconds", "901")]
    [InlineData("throttlingBurstLimit", "0")]
    [InlineData("throttlingRateLimit", "NaN")]
    [InlineData("eventMaxAgeSeconds", "59")]
    [InlineData("eventRetryAttempts", "-1")]
    public void OutOfRangeValuesAreRejected(string key, string value)
    {
        var error = Assert.Throws<StackConfigurationException>(() => Read(new() { ["downstreamUrl"] = "https://example.com/", [key] = value }));

        Assert.Contains($"config '{Project}:{key}'", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void AlarmEmailAndModeAreRead()
    {
        var settings = Read(new()
        {
            ["downstreamUrl"] = "https://example.com/",
            ["alarmEmail"] = " ops@example.com ",
            ["mode"] = "FULL",
            ["metricsNamespace"] = "Team/Breakers",
        });

        Assert.Equal("ops@example.com", settings.AlarmEmail);
        Assert.Equal(DeploymentMode.Full, settings.Mode);
        Assert.Equal("Team/Breakers", settings.Routes.Routes[0].Circuit.Policy.MetricsNamespace);
    }

    [Theory]
    [InlineData("ops")]
    [InlineData("ops@localhost")]
    [InlineData("Ops <ops@example.com>")]
    [InlineData("ops@example.com, dev@example.com")]
    [InlineData("ops@@example.com")]
    [InlineData("ops@example..com")]
    [InlineData("@example.com")]
    public void AnAlarmEmailThatIsNotOneAddressIsRejected(string value)
    {
        var error = Assert.Throws<StackConfigurationException>(() => Read(new() { ["downstreamUrl"] = "https://example.com/", ["alarmEmail"] = value }));

        var problem = Assert.Single(error.Errors);
        Assert.StartsWith($"config '{Project}:alarmEmail'", problem, StringComparison.Ordinal);
        Assert.Contains(InfraSettingKeys.AlarmEmail.ExpectedForm, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownModeIsRejected()
    {
        var error = Assert.Throws<StackConfigurationException>(() => Read(new() { ["downstreamUrl"] = "https://example.com/", ["mode"] = "proxy" }));

        Assert.Contains("full or backend", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void BackendModeNeedsNoDownstreamButAServiceId()
    {
        var settings = Read(new() { ["mode"] = "backend", ["serviceId"] = "payments" });

        Assert.Equal(DeploymentMode.Backend, settings.Mode);
        Assert.Equal(["payments"], settings.Routes.ServiceIds);
        Assert.Empty(settings.Routes.Routes);
        Assert.False(settings.Routes.ToEnvironment().ContainsKey(CircuitSettingKeys.DownstreamUrl.EnvironmentVariable));

        var error = Assert.Throws<StackConfigurationException>(() => Read(new() { ["mode"] = "backend" }));
        var problem = Assert.Single(error.Errors);
        Assert.StartsWith($"config '{Project}:serviceId' is required when config '{Project}:mode' is 'backend'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void BackendModeKeepsAGivenDownstreamAndStillValidatesIt()
    {
        Assert.Equal(
            new Uri("https://example.com/"),
            Read(new() { ["mode"] = "backend", ["serviceId"] = "payments", ["downstreamUrl"] = "https://example.com/" }).Routes.Routes[0].Circuit.Target.DownstreamUrl);

        var error = Assert.Throws<StackConfigurationException>(() => Read(new() { ["mode"] = "backend", ["serviceId"] = "payments", ["downstreamUrl"] = "ftp://example.com/" }));
        Assert.StartsWith($"config '{Project}:downstreamUrl'", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void BreakerSettingsOfRatioModeReachTheFunctionsEnvironment()
    {
        var settings = Read(new()
        {
            ["downstreamUrl"] = "https://example.com/",
            ["failureRatio"] = "0.5",
            ["minimumThroughput"] = "20",
            ["slowCallSeconds"] = "2.5",
            ["openSeconds"] = "30",
            ["maxOpenSeconds"] = "240",
            ["metricsNamespace"] = "Team/Breakers",
        });

        var environment = settings.Routes.ToEnvironment();
        Assert.Equal("0.5", environment[CircuitSettingKeys.FailureRatio.EnvironmentVariable]);
        Assert.Equal("20", environment[CircuitSettingKeys.MinimumThroughput.EnvironmentVariable]);
        Assert.Equal("2.5", environment[CircuitSettingKeys.SlowCallSeconds.EnvironmentVariable]);
        Assert.Equal("240", environment[CircuitSettingKeys.MaxOpenSeconds.EnvironmentVariable]);
        Assert.Equal("Team/Breakers", environment[CircuitSettingKeys.MetricsNamespace.EnvironmentVariable]);
    }

    private static InfraSettings Read(Dictionary<string, string?> config) =>
        InfraSettingsReader.Read(key => config.GetValueOrDefault(key), Project);
}
