using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests.Contract;

public sealed class RouteTableReaderTests
{
    private static RouteTableResult Read(IReadOnlyList<Dictionary<string, string>>? routes, params (CircuitSetting Setting, string Value)[] topLevel) =>
        RouteTableReader.Read(
            setting => topLevel.FirstOrDefault(v => v.Setting == setting).Value,
            setting => $"config '{setting.ConfigKey}'",
            routes,
            (index, key) => $"config 'routes[{index}].{key}'");

    private static Dictionary<string, string> Route(string prefix, string url, params (string Key, string Value)[] more)
    {
        var route = new Dictionary<string, string> { ["prefix"] = prefix, ["downstreamUrl"] = url };
        foreach (var (key, value) in more)
        {
            route[key] = value;
        }

        return route;
    }

    private static string OneError(RouteTableResult result)
    {
        Assert.False(result.IsValid);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void WithoutRoutesTheDownstreamUrlIsOneRouteAtTheRootThatKeepsThePath()
    {
        var table = Read(null, (CircuitSettingKeys.DownstreamUrl, "http://orders.test/api"), (CircuitSettingKeys.FailureThreshold, "7")).Table!;

        var route = Assert.Single(table.Routes);
        Assert.True(table.IsShorthand);
        Assert.Equal("/", route.Prefix);
        Assert.False(route.StripPrefix);
        Assert.Equal("orders.test", route.ServiceId);
        Assert.Equal(7, route.Circuit.Policy.FailureThreshold);
        Assert.False(table.ToEnvironment().ContainsKey("ROUTES"));
        Assert.Equal("http://orders.test/api", table.ToEnvironment()["DOWNSTREAM_URL"]);
    }

    [Fact]
    public void EachRouteInheritsTheTopLevelValuesAndOverridesItsOwn()
    {
        var table = Read(
            [
                Route("/orders", "http://orders.test/", ("failureThreshold", "5"), ("downstreamTimeoutSeconds", "2"), ("stripPrefix", "true")),
                Route("/pay", "http://pay.test/v1", ("failureRatio", "0.5"), ("minimumThroughput", "20"), ("slowCallSeconds", "1"), ("failOpen", "false")),
            ],
            (CircuitSettingKeys.FailureThreshold, "3"),
            (CircuitSettingKeys.WindowSeconds, "30"),
            (CircuitSettingKeys.OpenSeconds, "20"),
            (CircuitSettingKeys.MaxOpenSeconds, "80")).Table!;

        Assert.False(table.IsShorthand);
        var (orders, pay) = (table.Routes[0].Circuit, table.Routes[1].Circuit);
        Assert.True(table.Routes[0].StripPrefix);
        Assert.False(table.Routes[1].StripPrefix);
        Assert.Equal((5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), "orders.test"), (orders.Policy.FailureThreshold, orders.Target.DownstreamTimeout, orders.Policy.Window, orders.ServiceId));
        Assert.Equal((3, 0.5, 20, TimeSpan.FromSeconds(1), false), (pay.Policy.FailureThreshold, pay.Policy.FailureRatio, pay.Policy.MinimumThroughput, pay.Policy.SlowCallThreshold, pay.Policy.FailOpen));
        Assert.Equal(TimeSpan.FromSeconds(80), pay.Policy.MaxOpenDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), pay.Target.DownstreamTimeout);
        Assert.Equal(12, table.WebserviceTimeoutSeconds);
        Assert.Equal(TimeSpan.FromSeconds(30), table.StackWide.Window);
    }

    [Fact]
    public void RoutesRoundTripThroughTheFunctionsEnvironmentWithOnlyTheirOwnKeys()
    {
        var original = Read(
            [
                Route("/orders", "http://orders.test/", ("failureThreshold", "5"), ("stripPrefix", "true")),
                Route("/", "http://web.test/", ("serviceId", "web")),
            ],
            (CircuitSettingKeys.WindowSeconds, "30"),
            (CircuitSettingKeys.MetricsNamespace, "Team/Breakers")).Table!;

        var environment = original.ToEnvironment();
        var (raw, errors) = RouteListJson.Parse(environment["ROUTES"], "ROUTES");
        var reread = RouteTableReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable, raw, (i, k) => $"ROUTES[{i}].{k}").Table!;

        Assert.Empty(errors);
        Assert.Equal(
            """[{"prefix":"/orders","downstreamUrl":"http://orders.test/","failureThreshold":"5","stripPrefix":"true"},{"prefix":"/","downstreamUrl":"http://web.test/","serviceId":"web"}]""",
            environment["ROUTES"]);
        Assert.False(environment.ContainsKey("DOWNSTREAM_URL"));
        Assert.False(environment.ContainsKey("SERVICE_ID"));
        Assert.Equal(original.Routes.Select(r => (r.Prefix, r.StripPrefix, r.Circuit)), reread.Routes.Select(r => (r.Prefix, r.StripPrefix, r.Circuit)));
    }

    [Theory]
    [InlineData("orders", "must start with '/'")]
    [InlineData("/orders/", "must not end with '/'")]
    [InlineData("/orders//x", "empty segment")]
    [InlineData("/orders/../admin", "'.' or '..' segment")]
    [InlineData("/./x", "'.' or '..' segment")]
    [InlineData("/%6frders", "write the prefix decoded")]
    [InlineData("/or ders", "not a plain path character")]
    [InlineData("/caf\u00e9", "not a plain path character")]
    public void APrefixMustBeACleanPath(string prefix, string expected)
    {
        var error = OneError(Read([Route(prefix, "http://orders.test/")]));

        Assert.StartsWith($"config 'routes[0].prefix' is '{prefix}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoRoutesToTheSameHostNeedExplicitServiceIds()
    {
        var error = OneError(Read([Route("/a", "http://api.test/a"), Route("/b", "http://api.test/b")]));

        Assert.Contains("config 'routes[0].serviceId' and config 'routes[1].serviceId' are all 'api.test'", error, StringComparison.Ordinal);
        Assert.Contains("routes to the same host need explicit, different serviceId values", error, StringComparison.Ordinal);
        Assert.True(Read([Route("/a", "http://api.test/a", ("serviceId", "a")), Route("/b", "http://api.test/b", ("serviceId", "b"))]).IsValid);
    }

    [Fact]
    public void PrefixesAreUnique()
    {
        var error = OneError(Read([Route("/a", "http://one.test/"), Route("/a", "http://two.test/")]));

        Assert.Contains("config 'routes[0].prefix' and config 'routes[1].prefix' are all '/a'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ARouteSettingIsValidatedByTheSameRulesAndNamedByItsPlaceInTheList()
    {
        var result = Read([Route("/a", "http://one.test/"), Route("/b", "http://two.test/", ("failureThreshold", "0"), ("slowCallSeconds", "20"))]);

        Assert.False(result.IsValid);
        Assert.Contains("config 'routes[1].failureThreshold' is '0': expected a whole number of at least 1.", result.Errors);
        Assert.Contains(result.Errors, e => e.StartsWith("config 'routes[1].slowCallSeconds' is 20", StringComparison.Ordinal) && e.Contains("config 'downstreamTimeoutSeconds'", StringComparison.Ordinal));
    }

    [Fact]
    public void AnInheritedBadValueIsReportedOnceUnderItsTopLevelName()
    {
        var error = OneError(Read([Route("/a", "http://one.test/"), Route("/b", "http://two.test/")], (CircuitSettingKeys.WindowSeconds, "soon")));

        Assert.StartsWith("config 'windowSeconds' is 'soon'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTopLevelDownstreamUrlCannotBeGivenBesideRoutes()
    {
        var error = OneError(Read([Route("/a", "http://one.test/")], (CircuitSettingKeys.DownstreamUrl, "http://old.test/")));

        Assert.Contains("config 'downstreamUrl' is set as well as config 'routes'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AtLeastOneRouteAndKnownKeysOnly()
    {
        Assert.Contains("config 'routes' is empty", OneError(Read([])), StringComparison.Ordinal);
        Assert.Contains("config 'routes[0].failureTreshold' is not a route key", OneError(Read([Route("/a", "http://one.test/", ("failureTreshold", "3"))])), StringComparison.Ordinal);
        Assert.Contains("metricsNamespace is stack-wide", OneError(Read([Route("/a", "http://one.test/", ("metricsNamespace", "X"))])), StringComparison.Ordinal);
        Assert.Contains("config 'routes[0].prefix' is required", OneError(Read([new Dictionary<string, string> { ["downstreamUrl"] = "http://one.test/" }])), StringComparison.Ordinal);
        Assert.Contains("config 'routes[0].downstreamUrl' is required", OneError(Read([new Dictionary<string, string> { ["prefix"] = "/a" }])), StringComparison.Ordinal);
        Assert.Contains("config 'routes[0].stripPrefix' is 'yes'", OneError(Read([Route("/a", "http://one.test/", ("stripPrefix", "yes"))])), StringComparison.Ordinal);
    }

    [Fact]
    public void ARouteMayIgnoreCaseAndSetTheRelaysSettingsOrInheritThem()
    {
        var table = Read(
            [
                Route("/orders/admin", "http://admin.test/", ("ignoreCase", "true"), ("requestHeadersAllowed", "accept"), ("allowEncodedSlash", "false")),
                Route("/files", "http://files.test/", ("forwardedHeaders", "false")),
            ],
            (CircuitSettingKeys.ForwardedHeaders, "true"),
            (CircuitSettingKeys.AllowEncodedSlash, "true"),
            (CircuitSettingKeys.ResponseHeadersToDrop, "server")).Table!;

        var (admin, files) = (table.Routes[0], table.Routes[1]);
        Assert.Equal((true, false), (admin.IgnoreCase, files.IgnoreCase));
        Assert.Equal((true, false, "accept"), (admin.Circuit.Target.ForwardedHeaders, admin.Circuit.Target.AllowEncodedSlash, admin.Circuit.Target.RequestHeadersAllowed!.ToString()));
        Assert.Equal((false, true, null), (files.Circuit.Target.ForwardedHeaders, files.Circuit.Target.AllowEncodedSlash, files.Circuit.Target.RequestHeadersAllowed));
        Assert.All(table.Routes, route => Assert.Equal("server", route.Circuit.Target.ResponseHeadersToDrop.ToString()));

        var environment = table.ToEnvironment();
        var (raw, _) = RouteListJson.Parse(environment["ROUTES"], "ROUTES");
        var reread = RouteTableReader.Read(s => environment.GetValueOrDefault(s.EnvironmentVariable), s => s.EnvironmentVariable, raw, (i, k) => $"ROUTES[{i}].{k}").Table!;
        Assert.Equal(table.Routes.Select(r => (r.Prefix, r.IgnoreCase, r.Circuit)), reread.Routes.Select(r => (r.Prefix, r.IgnoreCase, r.Circuit)));
        Assert.Equal("true", environment["FORWARDED_HEADERS"]);
    }

    [Fact]
    public void IgnoreCaseIsTrueOrFalseAndCannotMakeTwoPrefixesOne()
    {
        Assert.Contains("config 'routes[0].ignoreCase' is 'yes': expected true or false.", OneError(Read([Route("/a", "http://one.test/", ("ignoreCase", "yes"))])), StringComparison.Ordinal);

        var clash = OneError(Read([Route("/orders", "http://one.test/"), Route("/Orders", "http://two.test/", ("ignoreCase", "true"))]));

        Assert.Contains("config 'routes[0].prefix' ('/orders') and config 'routes[1].prefix' ('/Orders') differ only in case", clash, StringComparison.Ordinal);
        Assert.True(Read([Route("/orders", "http://one.test/"), Route("/Orders", "http://two.test/")]).IsValid);
    }

    [Fact]
    public void StructuredConfigValuesOfAnyScalarTypeAreRead()
    {
        var (routes, errors) = RouteListJson.Parse("""[{"prefix":"/a","downstreamUrl":"http://one.test/","failureThreshold":5,"failureRatio":0.25,"stripPrefix":true,"serviceId":null}]""", "config 'routes'");

        Assert.Empty(errors);
        Assert.Equal(
            new Dictionary<string, string> { ["prefix"] = "/a", ["downstreamUrl"] = "http://one.test/", ["failureThreshold"] = "5", ["failureRatio"] = "0.25", ["stripPrefix"] = "true" },
            Assert.Single(routes!));
    }

    [Theory]
    [InlineData("{\"prefix\":\"/a\"}", "config 'routes' is a JSON object")]
    [InlineData("[1]", "config 'routes'[0] is not a map")]
    [InlineData("[{\"prefix\":[\"/a\"]}]", "config 'routes'[0].prefix is a JSON array")]
    [InlineData("[{", "config 'routes' is not valid JSON")]
    public void ARouteListThatIsNotAListOfFlatMapsIsRefused(string json, string expected)
    {
        var (routes, errors) = RouteListJson.Parse(json, "config 'routes'");

        Assert.Null(routes);
        Assert.StartsWith(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEnvironmentOverLambdasLimitIsNamedWithItsSizeAndWhatToDo()
    {
        var small = new Dictionary<string, string> { ["A"] = "b" };
        var large = new Dictionary<string, string> { ["ROUTES"] = new string('x', 4100) };

        Assert.Equal(9, LambdaEnvironmentLimit.SizeOf(small));
        Assert.Null(LambdaEnvironmentLimit.Problem(small, "the webservice function"));
        var problem = LambdaEnvironmentLimit.Problem(large, "the webservice function")!;
        Assert.Contains("would take 4113 bytes, over Lambda's limit of 4096 bytes", problem, StringComparison.Ordinal);
        Assert.Contains("ROUTES takes 4100 of them", problem, StringComparison.Ordinal);
    }
}
