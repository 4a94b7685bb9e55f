using System.Collections.Concurrent;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Tests.Local.LambdaService;

namespace CircuitBreaker.Tests.Local.Cli;

/// <summary>
/// The host options of issue 20: <c>--dynamodb-endpoint URL</c> (a DynamoDB instead of dynalite) and
/// <c>--event-delivery-latency-seconds S</c> (the local EventBridge's delivery latency): parsed, validated in one line
/// each, listed in --help, and handed to the servers.
/// </summary>
public sealed class DynamoDbAndEventHostOptionsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.13", 130)]
    [InlineData("2.5", 2500)]
    [InlineData("60", 60_000)]
    public void TheEventDeliveryLatencyIsSecondsWithFractions(string given, int milliseconds)
    {
        var options = LocalOptionsParser.Parse(["--event-delivery-latency-seconds", given]).Options;

        Assert.NotNull(options);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options.EventDeliveryLatency);
        Assert.Equal(TimeSpan.Zero, LocalOptionsParser.Parse([]).Options!.EventDeliveryLatency);
    }

    [Theory]
    [InlineData("-0.1")]
    [InlineData("61")]
    [InlineData("soon")]
    [InlineData("NaN")]
    public void ABadEventDeliveryLatencyIsOneLineNamingTheOption(string given)
    {
        var result = LocalOptionsParser.Parse(["--event-delivery-latency-seconds", given]);

        Assert.Null(result.Options);
        Assert.Equal(
            $"--event-delivery-latency-seconds is '{given}': expected a number of seconds from 0 to 60, fractions allowed (e.g. 0.13).",
            Assert.Single(result.Errors));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000")]
    [InlineData("https://dynamodb.eu-west-1.amazonaws.com")]
    [InlineData("http://localhost:4566/")]
    public void ADynamoDbEndpointIsAnHttpUrl(string given)
    {
        var options = LocalOptionsParser.Parse(["--dynamodb-endpoint", given, "--route", "/a=simulate:ok"]).Options;

        Assert.NotNull(options);
        Assert.Equal(new Uri(given), options.DynamoDbEndpoint);
        Assert.Null(LocalOptionsParser.Parse([]).Options!.DynamoDbEndpoint);
    }

    [Theory]
    [InlineData("127.0.0.1:8000", "127.0.0.1:8000")]
    [InlineData("ftp://127.0.0.1/", "ftp://127.0.0.1/")]
    [InlineData("http://key:secret@127.0.0.1:8000/", "http://***@127.0.0.1:8000/")]
    [InlineData("http://127.0.0.1:8000/?table=x", "http://127.0.0.1:8000/?table=x")]
    [InlineData("dynalite", "dynalite")]
    public async Task ABadDynamoDbEndpointIsOneLineAndExitCodeTwoWithNothingStarted(string given, string shown)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var started = 0;

        var exit = await LocalCommand.RunAsync(["--port", "0", "--dynamodb-endpoint", given], output, error,
            (_, _) => { Interlocked.Increment(ref started); return Task.CompletedTask; },
            _ => { Interlocked.Increment(ref started); throw new InvalidOperationException("must not start"); },
            TimeProvider.System, Token);

        Assert.Equal(2, exit);
        var line = Assert.Single(error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"--dynamodb-endpoint is '{shown}': expected an absolute http(s) URL", line, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", line, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was started; --help lists the options.", line, StringComparison.Ordinal);
        Assert.Equal(0, started);
    }

    [Fact]
    public void HelpListsBothHostOptionsWithTheCitedLatency()
    {
        var help = LocalOptionsParser.Parse(["--help"]).HelpText;

        Assert.Contains("--dynamodb-endpoint <URL>", help, StringComparison.Ordinal);
        Assert.Contains("--event-delivery-latency-seconds <S>", help, StringComparison.Ordinal);
        Assert.Contains("129.33 ms", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLocalEventBridgeGetsTheLatencyAndTheBannerSaysIt()
    {
        var options = LocalOptionsParser.Parse(["--port", "0", "--downstream", "simulate:ok", "--event-delivery-latency-seconds", "0.13"]).Options!;

        await using var system = await LocalSystem.StartAsync(options, IdleInstanceAsync, null, TimeProvider.System, TextWriter.Null, null, Token);

        Assert.Equal(TimeSpan.FromMilliseconds(130), system.Events.Options.DeliveryLatency);
        Assert.EndsWith("(bus circuit-breaker-failures; each matched event delivered after 0.13 s)",
            Assert.Single(system.DescribeEndpoints(), line => line.StartsWith("EventBridge:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheFunctionsSignWithTheGivenCredentialsAndRegion()
    {
        var environments = new ConcurrentQueue<Func<string, string?>>();
        var credentials = FunctionCredentials.From(new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDHOST",
            ["AWS_SECRET_ACCESS_KEY"] = "host-secret",
            ["AWS_SESSION_TOKEN"] = "host-token",
            ["AWS_DEFAULT_REGION"] = "eu-west-3",
        }.GetValueOrDefault);
        var options = LocalOptionsParser.Parse(["--port", "0", "--downstream", "simulate:ok", "--dynamodb-endpoint", "http://127.0.0.1:4567/"]).Options!
            with { Credentials = credentials };

        await using var system = await LocalSystem.StartAsync(options, (environment, stop) =>
        {
            environments.Enqueue(environment);
            return FakeRuntimeInstance.RunAsync(environment(FunctionEnvironment.RuntimeApi)!, (_, _) => Task.FromResult(FakeAnswer.Response("{}"u8.ToArray())), stop);
        }, options.DynamoDbEndpoint, TimeProvider.System, TextWriter.Null, null, Token);
        using var http = new HttpClient { BaseAddress = system.Api.BaseAddress };
        (await http.GetAsync("/", Token)).Dispose();

        var environment = environments.First();
        Assert.Equal(
            ("AKIDHOST", "host-secret", "host-token", "eu-west-3", "http://127.0.0.1:4567/"),
            (environment("AWS_ACCESS_KEY_ID"), environment("AWS_SECRET_ACCESS_KEY"), environment("AWS_SESSION_TOKEN"), environment(FunctionEnvironment.Region),
                environment(FunctionEnvironment.DynamoDbEndpointUrl)));
        var banner = Assert.Single(system.DescribeEndpoints(), line => line.StartsWith("DynamoDB:", StringComparison.Ordinal));
        Assert.StartsWith("DynamoDB:            http://127.0.0.1:4567/ (given by --dynamodb-endpoint, credentials from the environment, region eu-west-3; table circuit-breaker; "
            + "circuitctl status --endpoint-url http://127.0.0.1:4567/ --region eu-west-3 --table circuit-breaker ", banner, StringComparison.Ordinal);
        Assert.DoesNotContain("host-secret", banner, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutKeysInTheEnvironmentTheFunctionsSignWithDummies()
    {
        var none = FunctionCredentials.From(_ => null);
        var halfSet = FunctionCredentials.From(name => name == "AWS_ACCESS_KEY_ID" ? "AKIDONLY" : name == "AWS_REGION" ? "ap-south-1" : null);

        Assert.Equal(("local", "local", null, "us-east-1", false), (none.AccessKeyId, none.SecretAccessKey, none.SessionToken, none.Region, none.FromEnvironment));
        Assert.Equal(("local", "ap-south-1", false), (halfSet.AccessKeyId, halfSet.Region, halfSet.FromEnvironment));
        Assert.Equal("dummy credentials, region ap-south-1", halfSet.ToString());
    }

    private static Task IdleInstanceAsync(Func<string, string?> environment, CancellationToken stop) => Task.Delay(Timeout.Infinite, stop);
}
