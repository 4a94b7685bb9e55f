using CircuitBreaker.Local.Cli;

namespace CircuitBreaker.Tests.Local.Cli;

public sealed class MetricsNamespaceOptionTests
{
    [Fact]
    public void TheOptionSetsTheNamespaceAndDefaultsToTheContractsDefault()
    {
        var given = LocalOptionsParser.Parse(["--metrics-namespace", "Team/Orders"]).Options!;
        var defaulted = LocalOptionsParser.Parse([]).Options!;

        Assert.Equal("Team/Orders", given.Settings.Policy.MetricsNamespace);
        Assert.Equal("CircuitBreaker", defaulted.Settings.Policy.MetricsNamespace);
    }

    [Fact]
    public void AnInvalidNamespaceIsAnErrorNamingTheOption()
    {
        var result = LocalOptionsParser.Parse(["--metrics-namespace", "AWS/Lambda"]);

        Assert.Null(result.Options);
        Assert.Contains(result.Errors, error => error.Contains("--metrics-namespace", StringComparison.Ordinal));
    }
}
