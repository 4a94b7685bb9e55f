using Amazon.DynamoDBv2.Model;
using static CircuitBreaker.Aws.DynamoDb.ItemValues;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// Collects one conditional UpdateItem on a state item: its SET and REMOVE clauses, names and values.
/// DynamoDB rejects placeholders that no expression uses, so each transition declares exactly the ones
/// its condition adds to those its clauses bring.
/// </summary>
internal sealed class StateTransition(string serviceId)
{
    private readonly List<string> sets = [];
    private readonly List<string> removes = [];
    private readonly Dictionary<string, string> names = [];
    private readonly Dictionary<string, AttributeValue> values = [];

    /// <summary>The circuit whose state item this transition writes.</summary>
    public string ServiceId { get; } = serviceId;

    public StateTransition Set(string attribute, AttributeValue value)
    {
        sets.Add($"#{attribute} = :{attribute}");
        names[$"#{attribute}"] = attribute;
        values[$":{attribute}"] = value;
        return this;
    }

    public StateTransition Increment(string attribute)
    {
        sets.Add($"#{attribute} = #{attribute} + :one");
        names[$"#{attribute}"] = attribute;
        values[":one"] = Number(1);
        return this;
    }

    // For writes that may create the item: a missing version counts as 0.
    public StateTransition IncrementFromZero(string attribute)
    {
        sets.Add($"#{attribute} = if_not_exists(#{attribute}, :zero) + :one");
        names[$"#{attribute}"] = attribute;
        values[":zero"] = Number(0);
        values[":one"] = Number(1);
        return this;
    }

    public StateTransition Remove(string attribute)
    {
        removes.Add($"#{attribute}");
        names[$"#{attribute}"] = attribute;
        return this;
    }

    // Every transition but the one that takes the probe ends the probe's lease.
    public StateTransition ReleaseProbe() => Remove(StateItem.ProbeOwnerAttribute).Remove(StateItem.ProbeLeaseUntilAttribute);

    public StateTransition Name(string placeholder, string attribute)
    {
        names[placeholder] = attribute;
        return this;
    }

    public StateTransition Value(string placeholder, AttributeValue value)
    {
        values[placeholder] = value;
        return this;
    }

    /// <summary>The request, stamped with <paramref name="changedAt"/>; <paramref name="condition"/> null writes unconditionally.</summary>
    public UpdateItemRequest ToRequest(string tableName, string? condition, DateTimeOffset changedAt)
    {
        Set(StateItem.ChangedAtAttribute, Time(changedAt));
        var update = "SET " + string.Join(", ", sets);
        if (removes.Count > 0)
        {
            update += " REMOVE " + string.Join(", ", removes);
        }

        return new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(ServiceId, CircuitItemKeys.State),
            UpdateExpression = update,
            ConditionExpression = condition,
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        };
    }
}
