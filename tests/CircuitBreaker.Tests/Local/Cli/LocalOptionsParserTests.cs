using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Tests.Local.Cli;

public sealed class LocalOptionsParserTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("local-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void NoOptionsGiveTheOriginalDemo()
    {
        var result = LocalOptionsParser.Parse([]);

        var options = Assert.IsType<LocalOptions>(result.Options);
        Assert.Equal(3000, options.Port);
        Assert.Equal(SimulatorMode.Hang, options.Downstream.SimulatorMode);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Settings.Target.DownstreamTimeout);
        Assert.Equal(3, options.Settings.Policy.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Settings.Policy.Window);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Settings.Policy.OpenDuration);
        Assert.Null(options.ConfigFile);
    }

    [Fact]
    public void OptionsOverrideDefaultsInBothSpellings()
    {
        var result = LocalOptionsParser.Parse(["--port", "0", "--downstream=simulate:flap", "--timeout-seconds", "0.2",
            "--failure-threshold=5", "--window-seconds", "3", "--open-seconds", "1.5"]);

        var options = Assert.IsType<LocalOptions>(result.Options);
        Assert.Equal(0, options.Port);
        Assert.Equal(SimulatorMode.Flap, options.Downstream.SimulatorMode);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Settings.Target.DownstreamTimeout);
        Assert.Equal(5, options.Settings.Policy.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Settings.Policy.Window);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.Settings.Policy.OpenDuration);
    }

    [Fact]
    public void TheProductionModesAreOffByDefault()
    {
        var settings = LocalOptionsParser.Parse([]).Options!.Settings;

        Assert.Null(settings.Policy.FailureRatio);
        Assert.Equal(100, settings.Policy.MinimumThroughput);
        Assert.Null(settings.Policy.SlowCallThreshold);
        Assert.Equal(settings.Policy.OpenDuration, settings.Policy.MaxOpenDuration);
    }

    [Fact]
    public void TheProductionModesHaveOptionsNamedAfterTheirConfigKeys()
    {
        var result = LocalOptionsParser.Parse(["--failure-ratio", "0.25", "--minimum-throughput=40", "--slow-call-seconds", "0.5",
            "--open-seconds", "2", "--max-open-seconds", "16"]);

        var settings = Assert.IsType<LocalOptions>(result.Options).Settings;
        Assert.Equal(0.25, settings.Policy.FailureRatio);
        Assert.Equal(40, settings.Policy.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(0.5), settings.Policy.SlowCallThreshold);
        Assert.Equal(TimeSpan.FromSeconds(16), settings.Policy.MaxOpenDuration);
        foreach (var option in new[] { "--failure-ratio", "--minimum-throughput", "--slow-call-seconds", "--max-open-seconds" })
        {
            Assert.Contains(option, LocalOptionsParser.Parse(["--help"]).HelpText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ARealDownstreamUrlIsKeptAndNamesTheService()
    {
        var options = LocalOptionsParser.Parse(["--downstream", "https://api.example.com/v1"]).Options!;

        Assert.False(options.Downstream.IsSimulated);
        Assert.Equal(new Uri("https://api.example.com/v1"), options.Downstream.Url);
        Assert.Equal("api.example.com", options.Settings.ServiceId);
    }

    [Fact]
    public void TheSimulatorsAddressReplacesThePlaceholder()
    {
        var options = LocalOptionsParser.Parse([]).Options!;

        var settings = options.SettingsFor(new Uri("http://127.0.0.1:41234/"));

        Assert.Equal(new Uri("http://127.0.0.1:41234/"), settings.Target.DownstreamUrl);
        Assert.Equal("127.0.0.1", settings.ServiceId);
    }

    [Fact]
    public void HelpIsNotAnError()
    {
        var result = LocalOptionsParser.Parse(["--port", "1", "--help"]);

        Assert.True(result.HelpRequested);
        Assert.Null(result.Options);
        Assert.Empty(result.Errors);
        Assert.Contains("--failure-threshold", result.HelpText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "--port", "0 to 65535")]
    [InlineData(new[] { "--port", "abc" }, "--port", "0 to 65535")]
    [InlineData(new[] { "--downstream", "simulate:slow" }, "--downstream", "simulate:hang")]
    [InlineData(new[] { "--downstream", "ftp://x" }, "--downstream", "http or https URL")]
    [InlineData(new[] { "--timeout-seconds", "0" }, "--timeout-seconds", "positive number of seconds")]
    [InlineData(new[] { "--timeout-seconds", "29" }, "--timeout-seconds", "at most 28")]
    [InlineData(new[] { "--failure-threshold", "2.5" }, "--failure-threshold", "whole number")]
    [InlineData(new[] { "--window-seconds", "-1" }, "--window-seconds", "positive number of seconds")]
    [InlineData(new[] { "--open-seconds" }, "--open-seconds needs a value", "positive number of seconds")]
    [InlineData(new[] { "--failure-ratio", "1.5" }, "--failure-ratio", "greater than 0 and at most 1")]
    [InlineData(new[] { "--failure-ratio", "0" }, "--failure-ratio", "greater than 0 and at most 1")]
    [InlineData(new[] { "--minimum-throughput", "0" }, "--minimum-throughput", "whole number")]
    [InlineData(new[] { "--slow-call-seconds", "10" }, "--slow-call-seconds", "below --timeout-seconds")]
    [InlineData(new[] { "--slow-call-seconds", "-1" }, "--slow-call-seconds", "positive number of seconds")]
    [InlineData(new[] { "--max-open-seconds", "30" }, "--max-open-seconds", "cannot be below --open-seconds")]
    [InlineData(new[] { "--colour", "red" }, "--colour", "unknown option")]
    [InlineData(new[] { "--port", "1", "--port", "2" }, "--port", "more than once")]
    [InlineData(new[] { "--config", "/nonexistent/Pulumi.dev.yaml" }, "--config", "Pulumi.<stack>.yaml")]
    public void BadOptionsNameTheOptionAndTheExpectedForm(string[] args, string option, string expected)
    {
        var result = LocalOptionsParser.Parse(args);

        Assert.Null(result.Options);
        var error = Assert.Single(result.Errors);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBadOptionIsReported()
    {
        var result = LocalOptionsParser.Parse(["--failure-threshold", "0", "--open-seconds", "x"]);

        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void TheConfigFileSuppliesSettingsAndOptionsOverrideIt()
    {
        var stack = WriteStack("circuit-breaker", """
            config:
              aws:region: eu-west-1
              circuit-breaker:downstreamUrl: https://slow.example.com/
              circuit-breaker:downstreamTimeoutSeconds: "4"
              circuit-breaker:failureThreshold: 7 # after seven
              circuit-breaker:windowSeconds: '30'
              circuit-breaker:serviceId: slow-service
              other-project:openSeconds: 999
            """);

        var options = LocalOptionsParser.Parse(["--config", stack, "--failure-threshold", "2"]).Options!;

        Assert.Equal(new Uri("https://slow.example.com/"), options.Downstream.Url);
        Assert.Equal(TimeSpan.FromSeconds(4), options.Settings.Target.DownstreamTimeout);
        Assert.Equal(2, options.Settings.Policy.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Settings.Policy.Window);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Settings.Policy.OpenDuration);
        Assert.Equal("slow-service", options.Settings.ServiceId);
        Assert.Equal(stack, options.ConfigFile);
    }

    [Fact]
    public void TheSimulatorOptionOverridesTheFilesDownstreamButKeepsItsServiceId()
    {
        var stack = WriteStack("cb", """
            config:
              cb:downstreamUrl: https://slow.example.com/
              cb:serviceId: slow-service
            """);

        var options = LocalOptionsParser.Parse(["--config", stack, "--downstream", "simulate:ok"]).Options!;

        Assert.Equal(SimulatorMode.Ok, options.Downstream.SimulatorMode);
        Assert.Equal("slow-service", options.SettingsFor(new Uri("http://127.0.0.1:9/")).ServiceId);
    }

    [Fact]
    public void TheConfigFileSuppliesTheProductionModesUnderTheSameKeys()
    {
        var stack = WriteStack("cb", """
            config:
              cb:failureRatio: "0.2"
              cb:minimumThroughput: 50
              cb:slowCallSeconds: 2
              cb:maxOpenSeconds: 300
            """);

        var settings = LocalOptionsParser.Parse(["--config", stack, "--minimum-throughput", "60"]).Options!.Settings;

        Assert.Equal(0.2, settings.Policy.FailureRatio);
        Assert.Equal(60, settings.Policy.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Policy.SlowCallThreshold);
        Assert.Equal(TimeSpan.FromSeconds(300), settings.Policy.MaxOpenDuration);
    }

    [Fact]
    public void ABadValueInTheFileNamesTheKeyAndTheFile()
    {
        var stack = WriteStack("cb", """
            config:
              cb:windowSeconds: soon
            """);

        var result = LocalOptionsParser.Parse(["--config", stack]);

        var error = Assert.Single(result.Errors);
        Assert.Contains("'windowSeconds' in --config", error, StringComparison.Ordinal);
        Assert.Contains(stack, error, StringComparison.Ordinal);
        Assert.Contains("positive number of seconds", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadOptionsExitWithTwoAndStartNothing()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var instances = 0;

        var dynamoDbStarts = 0;

        var exit = await LocalCommand.RunAsync(["--port", "-3"], output, error,
            (_, _) => { Interlocked.Increment(ref instances); return Task.CompletedTask; },
            _ => { Interlocked.Increment(ref dynamoDbStarts); throw new InvalidOperationException("must not start"); },
            TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("--port", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Nothing was started", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
        Assert.Equal(0, instances);
        Assert.Equal(0, dynamoDbStarts);
    }

    [Fact]
    public async Task AValidCommandStartsPrintsItsEndpointsAndStopsWhatItStarted()
    {
        using var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var dynamoDb = new Stoppable();

        var run = LocalCommand.RunAsync(["--port", "0", "--downstream", "simulate:ok"], output, error, (_, _) => Task.CompletedTask,
            _ => Task.FromResult<(Uri, IAsyncDisposable)>((new Uri("http://127.0.0.1:1/"), dynamoDb)), TimeProvider.System, stop.Token);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!Read(output, text).Contains("Press Ctrl+C", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until && !run.IsCompleted, $"not started: {error}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.False(dynamoDb.Stopped);
        await stop.CancelAsync();
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.True(dynamoDb.Stopped);
        Assert.Contains("HTTP API:", Read(output, text), StringComparison.Ordinal);
        Assert.Contains("downstream simulator:", Read(output, text), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpExitsWithZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LocalCommand.RunAsync(["--help"], output, error, (_, _) => Task.CompletedTask,
            null, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);
    }

    // TextWriter.Synchronized's writer serialises writes by locking itself, so reading under that lock sees whole lines.
    private static string Read(TextWriter synchronized, StringWriter text)
    {
        lock (synchronized)
        {
            return text.ToString();
        }
    }

    private sealed class Stoppable : IAsyncDisposable
    {
        public bool Stopped { get; private set; }

        public ValueTask DisposeAsync()
        {
            Stopped = true;
            return ValueTask.CompletedTask;
        }
    }

    private string WriteStack(string project, string config)
    {
        File.WriteAllText(Path.Combine(_folder, "Pulumi.yaml"), $"name: {project}\nruntime: dotnet\n");
        var path = Path.Combine(_folder, "Pulumi.dev.yaml");
        File.WriteAllText(path, config);
        return path;
    }

    [Fact]
    public void FailOpenAndServiceIdHaveTheirKebabCaseOptions()
    {
        var result = LocalOptionsParser.Parse(["--downstream", "http://127.0.0.1:9/", "--fail-open", "false", "--service-id", "payments"]);

        var options = Assert.IsType<LocalOptions>(result.Options);
        Assert.False(options.Settings.Policy.FailOpen);
        Assert.Equal("payments", options.SettingsFor(new Uri("http://127.0.0.1:9/")).ServiceId);
    }

    [Fact]
    public void ABadFailOpenIsNamedByItsOption()
    {
        var result = LocalOptionsParser.Parse(["--fail-open", "maybe"]);

        Assert.Null(result.Options);
        Assert.Contains("--fail-open is 'maybe': expected true or false.", result.Errors);
    }

    [Fact]
    public void AServiceIdWithRoutesIsRefusedRatherThanIgnored()
    {
        var result = LocalOptionsParser.Parse(["--route", "/orders=simulate:ok", "--service-id", "payments"]);

        Assert.Null(result.Options);
        Assert.Contains(result.Errors, error => error.StartsWith("--service-id and routes are both given", StringComparison.Ordinal));
    }
}
