using System.Text.Json;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests;

public sealed class FailureEventsTests
{
    [Fact]
    public void EventPatternNamesTheSourceAndDetailTypeThePublisherUses()
    {
        using var pattern = JsonDocument.Parse(FailureEvents.EventPattern);
        Assert.Equal(FailureEvents.Source, pattern.RootElement.GetProperty("source")[0].GetString());
        Assert.Equal(FailureEvents.DetailType, pattern.RootElement.GetProperty("detail-type")[0].GetString());
    }
}
