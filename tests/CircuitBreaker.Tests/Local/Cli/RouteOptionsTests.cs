using CircuitBreaker.Contract;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Tests.Local.Cli;

public sealed class RouteOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("route-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string StackFile(params string[] configLines)
    {
        File.WriteAllText(Path.Combine(_folder, "Pulumi.yaml"), "name: circuit-breaker\nruntime: dotnet\n");
        var path = Path.Combine(_folder, "Pulumi.dev.yaml");
        File.WriteAllLines(path, ["config:", .. configLines]);
        return path;
    }

    [Fact]
    public void RouteOptionsGiveEachRouteItsTargetAndTheOtherOptionsToEveryRoute()
    {
        var options = LocalOptionsParser.Parse(["--route", "/orders=simulate:hang", "--route=/pay=http://127.0.0.1:8080/p", "--timeout-seconds", "2"]).Options!;

        var routes = options.Routes!;
        Assert.Equal([SimulatorMode.Hang, null], routes.Targets.Select(t => t.SimulatorMode));
        Assert.Equal(new Uri("http://127.0.0.1:8080/p"), routes.Targets[1].Url);
        var table = routes.TableFor(index => index == 0 ? new Uri("http://127.0.0.1:5001/") : null);
        Assert.Equal(["/orders", "/pay"], table.Routes.Select(r => r.Prefix));
        Assert.Equal(["orders", "127.0.0.1"], table.Routes.Select(r => r.ServiceId));
        Assert.Equal(new Uri("http://127.0.0.1:5001/"), table.Routes[0].Circuit.Target.DownstreamUrl);
        Assert.All(table.Routes, r => Assert.Equal(TimeSpan.FromSeconds(2), r.Circuit.Target.DownstreamTimeout));
    }

    [Fact]
    public void WithoutRouteOptionsTheDemoRunsWithoutRoutes() =>
        Assert.Null(LocalOptionsParser.Parse([]).Options!.Routes);

    [Theory]
    [InlineData(new[] { "--route", "/orders" }, "--route '/orders': expected PREFIX=TARGET")]
    [InlineData(new[] { "--route", "orders=simulate:ok" }, "--route #1 (prefix) is 'orders': it must start with '/'")]
    [InlineData(new[] { "--route", "/a=simulate:slow" }, "--route #1 (downstreamUrl) is 'simulate:slow'")]
    [InlineData(new[] { "--route", "/a=simulate:ok", "--route", "/a=simulate:hang" }, "--route #1 (prefix) and --route #2 (prefix) are all '/a'")]
    [InlineData(new[] { "--route", "/a=http://127.0.0.1:1/", "--route", "/b=http://127.0.0.1:2/" }, "--route #1 (serviceId) and --route #2 (serviceId) are all '127.0.0.1'")]
    [InlineData(new[] { "--route", "/a=simulate:ok", "--downstream", "simulate:ok" }, "--downstream and routes are both given")]
    public void BadRoutesAreNamedByTheirOption(string[] args, string expected)
    {
        var result = LocalOptionsParser.Parse(args);

        Assert.Null(result.Options);
        Assert.Contains(result.Errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AConfigFileGivesRoutesAsPulumiWritesStructuredConfig()
    {
        var file = StackFile(
            "  circuit-breaker:failureThreshold: \"4\"",
            "  circuit-breaker:routes:",
            "  - prefix: /orders",
            "    downstreamUrl: simulate:hang",
            "    failureThreshold: 2",
            "    stripPrefix: true",
            "  - downstreamUrl: http://127.0.0.1:9000/pay",
            "    prefix: /pay    # payments",
            "  circuit-breaker:windowSeconds: \"30\"");

        var options = LocalOptionsParser.Parse(["--config", file]).Options!;
        var table = options.Routes!.TableFor(_ => new Uri("http://127.0.0.1:5002/"));

        Assert.Equal(SimulatorMode.Hang, options.Routes.Targets[0].SimulatorMode);
        Assert.Equal([("/orders", 2, true), ("/pay", 4, false)], table.Routes.Select(r => (r.Prefix, r.Circuit.Policy.FailureThreshold, r.StripPrefix)));
        Assert.All(table.Routes, r => Assert.Equal(TimeSpan.FromSeconds(30), r.Circuit.Policy.Window));
    }

    [Fact]
    public void AConfigFileRouteErrorNamesTheFileAndTheRoute()
    {
        var file = StackFile("  circuit-breaker:routes:", "    - prefix: /orders/", "      downstreamUrl: simulate:ok");

        var result = LocalOptionsParser.Parse(["--config", file]);

        Assert.Contains($"'routes[0].prefix' in --config {file} is '/orders/': it must not end with '/'", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void RouteOptionsReplaceTheConfigFilesSingleDownstream()
    {
        var file = StackFile("  circuit-breaker:downstreamUrl: https://example.com/", "  circuit-breaker:serviceId: example");

        var options = LocalOptionsParser.Parse(["--config", file, "--route", "/a=simulate:ok"]).Options!;

        Assert.Equal("a", Assert.Single(options.Routes!.TableFor(_ => new Uri("http://127.0.0.1:5003/")).Routes).ServiceId);
    }

    [Theory]
    [InlineData("/a=http://127.0.0.1:9001/", "/b=http://127.0.0.1:9002/")]
    [InlineData("/orders/v2=simulate:ok", "/orders.v2=simulate:hang")]
    [InlineData("/=simulate:ok", "/root=simulate:ok")]
    public void TwoRoutesToOneCircuitAreRefusedUntilTheRouteOptionsGiveEachItsServiceId(string first, string second)
    {
        var without = LocalOptionsParser.Parse(["--route", first, "--route", second]);
        var with = LocalOptionsParser.Parse(["--route", first + ",serviceId=first", "--route", second + ",serviceId=second"]);

        Assert.Contains(without.Errors, error => error.StartsWith("--route #1 (serviceId) and --route #2 (serviceId) are all", StringComparison.Ordinal)
            && error.EndsWith("Give each its own after its target: --route PREFIX=TARGET,serviceId=ID.", StringComparison.Ordinal));
        var table = Assert.IsType<LocalOptions>(with.Options).Routes!.TableFor(_ => new Uri("http://127.0.0.1:5004/"));
        Assert.Equal(["first", "second"], table.Routes.Select(route => route.ServiceId));
    }

    [Fact]
    public void ARouteOptionCarriesAnyOfTheRoutesOwnSettings()
    {
        var options = LocalOptionsParser.Parse(
            ["--route", "/pay=http://127.0.0.1:9001/base,serviceId=pay,stripPrefix=true,failureThreshold=2,downstreamTimeoutSeconds=1.5",
             "--route", "/orders=simulate:ok", "--failure-threshold", "7"]).Options!;

        var table = options.Routes!.TableFor(index => index == 1 ? new Uri("http://127.0.0.1:5005/") : null);

        var (pay, orders) = (table.Routes[0], table.Routes[1]);
        Assert.Equal(("pay", true, 2, TimeSpan.FromSeconds(1.5)), (pay.ServiceId, pay.StripPrefix, pay.Circuit.Policy.FailureThreshold, pay.Circuit.Target.DownstreamTimeout));
        Assert.Equal(new Uri("http://127.0.0.1:9001/base"), pay.Circuit.Target.DownstreamUrl);
        Assert.Equal(("orders", false, 7), (orders.ServiceId, orders.StripPrefix, orders.Circuit.Policy.FailureThreshold));
    }

    [Theory]
    [InlineData("/a=simulate:ok,colour=red", "--route #1 (colour) is not a route key")]
    [InlineData("/a=simulate:ok,metricsNamespace=X", "--route #1 (metricsNamespace): metricsNamespace is stack-wide")]
    [InlineData("/a=simulate:ok,stripPrefix=maybe", "--route #1 (stripPrefix) is 'maybe': expected true or false.")]
    [InlineData("/a=simulate:ok,failureThreshold=0", "--route #1 (failureThreshold) is '0'")]
    [InlineData("/a=simulate:ok,serviceId=a,serviceId=b", "--route #1 gives serviceId twice")]
    [InlineData("/a=simulate:ok,prefix=/b", "--route #1 gives prefix twice")]
    public void ABadRouteSettingIsNamedByItsRouteAndKey(string route, string expected)
    {
        var result = LocalOptionsParser.Parse(["--route", route]);

        Assert.Null(result.Options);
        Assert.Contains(result.Errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/.../x")]
    [InlineData("/a/..;x")]
    [InlineData("/...")]
    public async Task APrefixWhoseEveryRequestThePathGuardRefusesIsRefusedAtStartInOneLine(string prefix)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LocalCommand.RunAsync(["--port", "0", "--route", prefix + "=simulate:ok"], output, error,
            (_, _) => throw new InvalidOperationException("no instance may start"),
            _ => throw new InvalidOperationException("dynalite may not start"),
            TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"--route #1 (prefix) is '{prefix}': every request under it would be refused (400 path-refused: ", line, StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void AConfigFileRouteWhosePrefixThePathGuardRefusesIsRefusedToo()
    {
        var file = StackFile("  circuit-breaker:routes:", "    - prefix: /v1/...", "      downstreamUrl: simulate:ok");

        var result = LocalOptionsParser.Parse(["--config", file]);

        Assert.StartsWith($"'routes[0].prefix' in --config {file} is '/v1/...': every request under it would be refused", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void SimulatedServiceIdsComeFromThePrefix()
    {
        Assert.Equal("orders.v2", LocalRoutes.SimulatedServiceId("/orders/v2"));
        Assert.Equal("root", LocalRoutes.SimulatedServiceId(RoutePrefix.Root));
        Assert.Equal("a-b", LocalRoutes.SimulatedServiceId("/a!b"));
    }
}
