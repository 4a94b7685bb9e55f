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
        Assert.Equal(new Uri("http://127.0.0.1:5001/"), table.Routes[0].Circuit.DownstreamUrl);
        Assert.All(table.Routes, r => Assert.Equal(TimeSpan.FromSeconds(2), r.Circuit.DownstreamTimeout));
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
        Assert.Equal([("/orders", 2, true), ("/pay", 4, false)], table.Routes.Select(r => (r.Prefix, r.Circuit.FailureThreshold, r.StripPrefix)));
        Assert.All(table.Routes, r => Assert.Equal(TimeSpan.FromSeconds(30), r.Circuit.Window));
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

    [Fact]
    public void SimulatedServiceIdsComeFromThePrefix()
    {
        Assert.Equal("orders.v2", LocalRoutes.SimulatedServiceId("/orders/v2"));
        Assert.Equal("root", LocalRoutes.SimulatedServiceId(RoutePrefix.Root));
        Assert.Equal("a-b", LocalRoutes.SimulatedServiceId("/a!b"));
    }
}
