using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Tests.Configuration;

public sealed class FunctionNamesTests
{
    [Fact]
    public void PrefixIsProjectAndStack()
    {
        Assert.Equal("circuit-breaker-dev", FunctionNames.Prefix("circuit-breaker", "dev"));
    }

    [Fact]
    public void CharactersLambdaRejectsBecomeDashes()
    {
        Assert.Equal("circuit-breaker-acme-prod", FunctionNames.Prefix("circuit-breaker", "acme/prod"));
        Assert.Equal("cb-my-stack-1", FunctionNames.Prefix("cb", "my.stack 1"));
    }

    [Fact]
    public void LongestFunctionNameFitsLambdasLimit()
    {
        var prefix = FunctionNames.Prefix(new string('p', 50), new string('s', 50));

        Assert.Equal(64, FunctionNames.For(prefix, HandlerNames.Webservice).Length);
        Assert.True(FunctionNames.For(prefix, HandlerNames.Recorder).Length <= 64);
    }

    [Fact]
    public void LogGroupIsWhereLambdaWrites()
    {
        Assert.Equal("/aws/lambda/circuit-breaker-dev-recorder", FunctionNames.LogGroupOf(FunctionNames.For("circuit-breaker-dev", HandlerNames.Recorder)));
    }
}
