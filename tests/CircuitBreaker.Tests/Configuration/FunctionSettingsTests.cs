using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;

namespace CircuitBreaker.Tests.Configuration;

public sealed class FunctionSettingsTests
{
    private static readonly Dictionary<string, string> Minimal = new()
    {
        [FunctionEnvironment.Handler] = HandlerNames.Webservice,
        [FunctionEnvironment.TableName] = "circuits",
        [FunctionEnvironment.EventBusName] = "failures",
        [FunctionEnvironment.Region] = "eu-west-1",
        ["DOWNSTREAM_URL"] = "https://api.example.com/v1/",
    };

    private static Func<string, string?> With(params (string Name, string? Value)[] overrides)
    {
        var environment = new Dictionary<string, string?>(Minimal.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)));
        foreach (var (name, value) in overrides)
        {
            environment[name] = value;
        }

        return name => environment.GetValueOrDefault(name);
    }

    [Fact]
    public void TheDefaultsAreTheOriginalDemosAndTheServiceIdIsTheDownstreamHost()
    {
        var settings = FunctionSettings.Read(With());

        Assert.Equal(TimeSpan.FromSeconds(10), settings.Routes.Routes[0].Circuit.Target.DownstreamTimeout);
        Assert.Equal(3, settings.Routes.Routes[0].Circuit.Policy.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Routes.Routes[0].Circuit.Policy.Window);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Routes.Routes[0].Circuit.Policy.OpenDuration);
        Assert.True(settings.Routes.Routes[0].Circuit.Policy.FailOpen);
        Assert.Equal("api.example.com", settings.Routes.Routes[0].Circuit.ServiceId);
    }

    [Fact]
    public void SecondsAcceptFractions()
    {
        var settings = FunctionSettings.Read(With(("DOWNSTREAM_TIMEOUT_SECONDS", "0.2"), ("WINDOW_SECONDS", "2.5")));

        Assert.Equal(TimeSpan.FromMilliseconds(200), settings.Routes.Routes[0].Circuit.Target.DownstreamTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), settings.Routes.Routes[0].Circuit.Policy.Window);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnceNamingTheVariable()
    {
        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionSettings.Read(With(
            (FunctionEnvironment.TableName, null),
            ("FAILURE_THRESHOLD", "0"),
            ("WINDOW_SECONDS", "-1"),
            ("FAIL_OPEN", "maybe"),
            ("DOWNSTREAM_URL", "ftp://x"))));

        Assert.Equal(5, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("TABLE_NAME is required", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("FAILURE_THRESHOLD is '0'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("WINDOW_SECONDS is '-1'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("FAIL_OPEN is 'maybe'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("DOWNSTREAM_URL is 'ftp://x'", StringComparison.Ordinal));
    }

    [Fact]
    public void TheBusIsRequiredByTheWebserviceOnly()
    {
        Assert.Throws<FunctionConfigurationException>(() => FunctionSettings.Read(With((FunctionEnvironment.EventBusName, ""))));

        var recorder = FunctionSettings.Read(With((FunctionEnvironment.EventBusName, null), (FunctionEnvironment.Handler, HandlerNames.Recorder)));

        Assert.Null(recorder.EventBusName);
    }

    [Fact]
    public void TheReplayerNeedsTheBusAndMayNameItsDeadLetterQueue()
    {
        Assert.Throws<FunctionConfigurationException>(() => FunctionSettings.Read(With((FunctionEnvironment.EventBusName, null), (FunctionEnvironment.Handler, HandlerNames.Replayer))));

        var replayer = FunctionSettings.Read(With(
            (FunctionEnvironment.Handler, HandlerNames.Replayer), (FunctionEnvironment.DeadLetterQueueUrl, "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq")));
        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionSettings.Read(With(
            (FunctionEnvironment.Handler, HandlerNames.Replayer), (FunctionEnvironment.DeadLetterQueueUrl, "dlq"))));

        Assert.Equal(HandlerNames.Replayer, replayer.Handler);
        Assert.Equal(new Uri("https://sqs.eu-west-1.amazonaws.com/123456789012/dlq"), replayer.DeadLetterQueueUrl);
        Assert.Contains("DEAD_LETTER_QUEUE_URL is 'dlq'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownHandlerIsRejected()
    {
        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionSettings.Read(With((FunctionEnvironment.Handler, "index.handler"))));

        Assert.Contains("_HANDLER is 'index.handler'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADownstreamUrlWithCredentialsFailsTheStartWithoutNamingThePassword()
    {
        var error = Assert.Throws<FunctionConfigurationException>(() => FunctionSettings.Read(With(("DOWNSTREAM_URL", "https://svc:hunter2@api.example.com/v1/"))));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("DOWNSTREAM_URL is 'https://***@api.example.com/v1/': it must not contain user information", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", string.Join(" ", error.Problems) + error.Message, StringComparison.Ordinal);
    }
}
