using CircuitBreaker.Contract;
using CircuitBreaker.Local.EventBridge;

namespace CircuitBreaker.Tests.Local.EventBridge;

public sealed class EventPatternMatcherTests
{
    private const string Envelope = """
        {"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Downstream call failed",
         "source":"circuit-breaker.webservice","account":"000000000000","time":"2026-11-28T18:00:00Z",
         "region":"us-east-1","resources":["arn:aws:lambda:us-east-1:000000000000:function:webservice"],
         "detail":{"serviceId":"api.example.com","reason":"timeout","statusCode":null,"elapsedMs":10004.5,
                   "nested":{"level":2},"tags":["a","b"]}}
        """;

    [Fact]
    public void TheContractsRuleMatchesAFailureEvent()
    {
        Assert.True(Matches(FailureEvents.EventPattern));
    }

    [Theory]
    [InlineData("""{"source":["circuit-breaker.other"],"detail-type":["Downstream call failed"]}""")]
    [InlineData("""{"source":["circuit-breaker.webservice"],"detail-type":["Downstream call recovered"]}""")]
    public void TheContractsRuleRejectsOtherEvents(string envelopeChange)
    {
        var pattern = FailureEvents.EventPattern;
        Assert.False(EventPatternMatcher.Parse(pattern).Matches(System.Text.Encoding.UTF8.GetBytes(Rewrite(envelopeChange))));
    }

    [Theory]
    [InlineData("""{"source":["x","circuit-breaker.webservice"]}""", true)]
    [InlineData("""{"source":["CIRCUIT-BREAKER.WEBSERVICE"]}""", false)]
    [InlineData("""{"detail":{"reason":["timeout"]}}""", true)]
    [InlineData("""{"detail":{"nested":{"level":[2]}}}""", true)]
    [InlineData("""{"detail":{"nested":{"level":[3]}}}""", false)]
    [InlineData("""{"detail":{"reason":[{"prefix":"time"}]}}""", true)]
    [InlineData("""{"detail":{"reason":[{"prefix":"server"}]}}""", false)]
    [InlineData("""{"detail":{"serviceId":[{"suffix":".example.com"}]}}""", true)]
    [InlineData("""{"detail":{"reason":[{"equals-ignore-case":"TIMEOUT"}]}}""", true)]
    [InlineData("""{"detail":{"reason":[{"anything-but":"timeout"}]}}""", false)]
    [InlineData("""{"detail":{"reason":[{"anything-but":["server-error","connection-error"]}]}}""", true)]
    [InlineData("""{"detail":{"reason":[{"anything-but":{"prefix":"conn"}}]}}""", true)]
    [InlineData("""{"detail":{"reason":[{"exists":true}]}}""", true)]
    [InlineData("""{"detail":{"missing":[{"exists":false}]}}""", true)]
    [InlineData("""{"detail":{"missing":[{"exists":true}]}}""", false)]
    [InlineData("""{"detail":{"reason":[{"exists":false}]}}""", false)]
    [InlineData("""{"detail":{"nested":[{"exists":true}]}}""", false)]
    [InlineData("""{"detail":{"statusCode":[null]}}""", true)]
    [InlineData("""{"detail":{"elapsedMs":[{"numeric":[">",10000,"<=",10004.5]}]}}""", true)]
    [InlineData("""{"detail":{"elapsedMs":[{"numeric":["<",10000]}]}}""", false)]
    [InlineData("""{"detail":{"elapsedMs":[10004.5]}}""", true)]
    [InlineData("""{"detail":{"tags":["b"]}}""", true)]
    [InlineData("""{"detail":{"tags":["c"]}}""", false)]
    [InlineData("""{"resources":[{"prefix":"arn:aws:lambda:"}]}""", true)]
    [InlineData("""{"detail":{"reason":["timeout"]},"source":["nope"]}""", false)]
    [InlineData("""{"detail":{"missing":["x"]}}""", false)]
    [InlineData("""{"detail":{"reason":{"deeper":["x"]}}}""", false)]
    public void MatchesAsEventBridgeDoes(string pattern, bool expected)
    {
        Assert.Equal(expected, Matches(pattern));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"source":"x"}""")]
    [InlineData("""{"source":[]}""")]
    [InlineData("""{"source":[{"wildcard":"x*"}]}""")]
    [InlineData("""{"source":[{"prefix":"a","suffix":"b"}]}""")]
    [InlineData("""{"n":[{"numeric":[">","1"]}]}""")]
    [InlineData("""{"n":[["nested"]]}""")]
    [InlineData("not json")]
    public void RejectsPatternsEventBridgeWouldReject(string pattern)
    {
        Assert.Throws<FormatException>(() => EventPatternMatcher.Parse(pattern));
    }

    [Fact]
    public void AnythingButNotJsonIsNoMatch()
    {
        Assert.False(EventPatternMatcher.Parse(FailureEvents.EventPattern).Matches("not json"u8));
    }

    private static bool Matches(string pattern) =>
        EventPatternMatcher.Parse(pattern).Matches(System.Text.Encoding.UTF8.GetBytes(Envelope));

    private static string Rewrite(string change)
    {
        using var document = System.Text.Json.JsonDocument.Parse(change);
        var text = Envelope;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var value = property.Value[0].GetString()!;
            text = property.Name == "source"
                ? text.Replace("\"circuit-breaker.webservice\"", $"\"{value}\"", StringComparison.Ordinal)
                : text.Replace("\"Downstream call failed\"", $"\"{value}\"", StringComparison.Ordinal);
        }

        return text;
    }
}
