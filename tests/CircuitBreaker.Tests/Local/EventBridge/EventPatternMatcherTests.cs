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
    [InlineData("""{"detail":{"statusCode":[null]}}""", true)]
    [InlineData("""{"detail":{"elapsedMs":[10004.5]}}""", true)]
    [InlineData("""{"detail":{"tags":["b"]}}""", true)]
    [InlineData("""{"detail":{"tags":["c"]}}""", false)]
    [InlineData("""{"detail":{"reason":["timeout"]},"source":["nope"]}""", false)]
    [InlineData("""{"detail":{"missing":["x"]}}""", false)]
    [InlineData("""{"detail":{"reason":{"deeper":["x"]}}}""", false)]
    public void MatchesAsEventBridgeDoes(string pattern, bool expected)
    {
        Assert.Equal(expected, Matches(pattern));
    }

    [Theory]
    [InlineData("""{"detail":{"reason":[{"prefix":"time"}]}}""", "prefix")]
    [InlineData("""{"detail":{"serviceId":[{"suffix":".example.com"}]}}""", "suffix")]
    [InlineData("""{"detail":{"reason":[{"equals-ignore-case":"TIMEOUT"}]}}""", "equals-ignore-case")]
    [InlineData("""{"detail":{"reason":[{"anything-but":"timeout"}]}}""", "anything-but")]
    [InlineData("""{"detail":{"reason":[{"exists":true}]}}""", "exists")]
    [InlineData("""{"detail":{"elapsedMs":[{"numeric":[">",10000,"<=",10004.5]}]}}""", "numeric")]
    [InlineData("""{"resources":["x",{"wildcard":"arn:*"}]}""", "wildcard")]
    public void RefusesContentFiltersByNameRatherThanMatchingNothing(string pattern, string filter)
    {
        var refusal = Assert.Throws<FormatException>(() => EventPatternMatcher.Parse(pattern));

        Assert.Contains($"'{filter}'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatchesEventJsonGivenAsText()
    {
        var matcher = EventPatternMatcher.Parse(FailureEvents.EventPattern);

        Assert.True(matcher.Matches(Envelope));
        Assert.False(matcher.Matches(Envelope.Replace("circuit-breaker.webservice", "someone.else", StringComparison.Ordinal)));
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
