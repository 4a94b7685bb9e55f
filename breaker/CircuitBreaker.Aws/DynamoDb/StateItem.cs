using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Core.Store;
using static CircuitBreaker.Aws.DynamoDb.ItemValues;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// The state item of one circuit (sort key <see cref="CircuitItemKeys.State"/>): its attributes, the words its state is
/// stored as, and how it reads back as a <see cref="CircuitRecord"/>. Tabled in docs/design.md ("The table").
/// </summary>
internal static class StateItem
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string HalfOpen = "half-open";
    public const string Isolated = "isolated";

    public const string StateAttribute = "state";
    public const string OpenUntilAttribute = "openUntil";
    public const string ProbeOwnerAttribute = "probeOwner";
    public const string ProbeLeaseUntilAttribute = "probeLeaseUntil";
    public const string ClosedAtAttribute = "closedAt";
    public const string VersionAttribute = "version";
    public const string ChangedAtAttribute = "changedAt";
    public const string FailedProbesAttribute = "failedProbes";

    /// <summary>The state attribute's value for <paramref name="state"/>.</summary>
    public static AttributeValue State(string state) => new() { S = state };

    /// <summary>Reads a state item; a state word it does not know is a fault of the store.</summary>
    public static CircuitRecord Read(string serviceId, Dictionary<string, AttributeValue> item)
    {
        var rawState = item.TryGetValue(StateAttribute, out var state) ? state.S : null;
        var status = rawState switch
        {
            Closed => CircuitStatus.Closed,
            Open => CircuitStatus.Open,
            HalfOpen => CircuitStatus.HalfOpen,
            Isolated => CircuitStatus.Isolated,
            _ => throw new CircuitStoreUnavailableException(
                $"The state item of circuit '{serviceId}' holds state '{rawState ?? "(none)"}': expected {Closed}, {Open}, {HalfOpen} or {Isolated}."),
        };

        return new CircuitRecord(
            serviceId,
            status,
            ReadTime(item, OpenUntilAttribute),
            item.TryGetValue(ProbeOwnerAttribute, out var owner) ? owner.S : null,
            ReadTime(item, ProbeLeaseUntilAttribute),
            ReadTime(item, ClosedAtAttribute),
            ReadLong(item, VersionAttribute) ?? 0,
            (int)Math.Clamp(ReadLong(item, FailedProbesAttribute) ?? 0, 0, int.MaxValue))
        {
            ChangedAt = ReadTime(item, ChangedAtAttribute),
        };
    }
}
