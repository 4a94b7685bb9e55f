using System.Text.Json;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests.Contract;

public sealed class StateChangeEventsTests
{
    [Fact]
    public void TheStateChangePatternNamesItsOwnSourceAndDetailType()
    {
        using var pattern = JsonDocument.Parse(StateChangeEvents.EventPattern);

        Assert.Equal(StateChangeEvents.Source, pattern.RootElement.GetProperty("source")[0].GetString());
        Assert.Equal(StateChangeEvents.DetailType, pattern.RootElement.GetProperty("detail-type")[0].GetString());
    }

    [Fact]
    public void TheFailureRuleCannotMatchAStateChange()
    {
        Assert.NotEqual(FailureEvents.DetailType, StateChangeEvents.DetailType);
        Assert.NotEqual(FailureEvents.Source, StateChangeEvents.Source);
    }

    [Fact]
    public void AStateChangeDetailSerializesWithTheDocumentedFieldNames()
    {
        var detail = new CircuitStateChangeDetail("payments", CircuitStateNames.Closed, CircuitStateNames.Open, "3 failures within 60 s",
            new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 10, 1, 0, TimeSpan.Zero), "req-1");

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(detail, ContractJsonContext.Default.CircuitStateChangeDetail));

        Assert.Equal(["serviceId", "from", "to", "reason", "time", "openUntil", "requestId"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("open", json.RootElement.GetProperty("to").GetString());
    }
}
