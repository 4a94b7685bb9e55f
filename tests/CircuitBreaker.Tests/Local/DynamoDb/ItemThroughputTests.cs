using System.Text.Json;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Local.DynamoDb;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Local.DynamoDb;

/// <summary>DynamoDB's per-item limits, their scale, the token buckets that keep them, and how a request is priced.</summary>
public sealed class ItemThroughputTests
{
    [Fact]
    public void DynamoDbsLimitsAreScaledWithTheBenchsTimeScale()
    {
        Assert.Equal((3000d, 1000d), (ItemThroughputLimits.DynamoDbPartition.ReadUnitsPerSecond, ItemThroughputLimits.DynamoDbPartition.WriteUnitsPerSecond));
        Assert.Equal(0.1, StackSettings.TimeScale);
        Assert.Equal((300d, 100d), (StackSettings.ScaledItemLimits.ReadUnitsPerSecond, StackSettings.ScaledItemLimits.WriteUnitsPerSecond), new ToleranceComparer());
        Assert.Equal(TimeSpan.FromSeconds(1), new CircuitBreaker.Bench.BenchOptions().Stack.DownstreamTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => ItemThroughputLimits.DynamoDbPartition.Scaled(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ItemThroughputLimits(-1, 1));
    }

    [Fact]
    public void ABucketHoldsOneSecondOfUnitsAndRefillsAtItsRate()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bucket = new TokenBucket(4, time);

        Assert.True(bucket.IsFull);
        Assert.All(Enumerable.Range(0, 4), _ => Assert.True(bucket.TryTake(1)));
        Assert.False(bucket.TryTake(0.5));

        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.False(bucket.TryTake(1.5));
        Assert.True(bucket.TryTake(1));
        Assert.False(bucket.TryTake(0.1));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(bucket.IsFull);
        Assert.True(bucket.TryTake(4));
        Assert.False(bucket.TryTake(0.5));
    }

    [Fact]
    public void ReadsAndWritesOfOneItemHaveBudgetsOfTheirOwn()
    {
        var limits = new ItemThroughput(new ItemThroughputLimits(1, 1), new FakeTimeProvider());
        var read = new ItemAccess(false, "item\nt\npk=1", 1, "t");
        var write = read with { IsWrite = true };

        Assert.True(limits.TryConsume(read));
        Assert.False(limits.TryConsume(read));
        Assert.True(limits.TryConsume(write));
        Assert.False(limits.TryConsume(write));
        Assert.True(limits.TryConsume(read with { Key = "item\nt\npk=2" }));
        Assert.Equal((1L, 1L), (limits.RefusedReads, limits.RefusedWrites));
    }

    [Theory]
    [InlineData("""{"TableName":"t","Key":{"sk":{"S":"state"},"pk":{"S":"a"}},"ConsistentRead":true}""", "GetItem", 1.0)]
    [InlineData("""{"TableName":"t","Key":{"pk":{"S":"a"},"sk":{"S":"state"}}}""", "GetItem", 0.5)]
    [InlineData("""{"TableName":"t","Key":{"pk":{"S":"a"},"sk":{"S":"state"}},"UpdateExpression":"SET v = :v"}""", "UpdateItem", 1.0)]
    [InlineData("""{"TableName":"t","Item":{"v":{"N":"1"},"sk":{"S":"state"},"pk":{"S":"a"}}}""", "PutItem", 1.0)]
    [InlineData("""{"TableName":"t","Key":{"pk":{"S":"a"},"sk":{"S":"state"}}}""", "DeleteItem", 1.0)]
    public void OneItemIsOneBudgetWhateverTheOperationOrTheOrderOfItsKey(string body, string operation, double units)
    {
        using var request = JsonDocument.Parse(body);

        var access = ItemAccessReader.Read(operation, request.RootElement, Schema);

        Assert.NotNull(access);
        Assert.Equal("item\nt\npk={\"S\":\"a\"}\nsk={\"S\":\"state\"}", access.Key);
        Assert.Equal(units, access.Units);
        Assert.Equal(operation != "GetItem", access.IsWrite);
    }

    [Theory]
    [InlineData("""{"TableName":"t","KeyConditionExpression":"#p = :v AND #s > :t","ExpressionAttributeNames":{"#p":"pk","#s":"sk"},"ExpressionAttributeValues":{":v":{"S":"a"},":t":{"S":"x"}},"ConsistentRead":true}""")]
    [InlineData("""{"TableName":"t","KeyConditionExpression":"sk >= :t AND :v = pk","ExpressionAttributeValues":{":v":{"S":"a"},":t":{"S":"x"}},"ConsistentRead":true}""")]
    [InlineData("""{"TableName":"t","KeyConditionExpression":"pk=:v and sk between :x and :y","ExpressionAttributeValues":{":v":{"S":"a"},":x":{"S":"x"},":y":{"S":"y"}},"ConsistentRead":true}""")]
    [InlineData("""{"TableName":"t","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"ConsistentRead":true}""")]
    public void AQueryIsPricedAgainstThePartitionItsKeyConditionNames(string body)
    {
        using var request = JsonDocument.Parse(body);

        var access = ItemAccessReader.Read("Query", request.RootElement, Schema);

        Assert.NotNull(access);
        Assert.Equal("partition\nt\n\npk={\"S\":\"a\"}", access.Key);
        Assert.Equal(1, access.Units);
        Assert.Null(access.Index);
    }

    [Fact]
    public void AQueryOnAnIndexIsPricedAgainstTheIndexsPartitionKey()
    {
        using var request = JsonDocument.Parse("""{"TableName":"t","IndexName":"UrlIndex","KeyConditionExpression":"#url = :url AND #exp > :now","ExpressionAttributeNames":{"#url":"SiteUrl","#exp":"ExpirationTime"},"ExpressionAttributeValues":{":url":{"S":"s"},":now":{"N":"1"}}}""");

        var access = ItemAccessReader.Read("Query", request.RootElement, Schema);

        Assert.NotNull(access);
        Assert.Equal(("UrlIndex", 0.5), (access.Index, access.Units));
        Assert.EndsWith("SiteUrl={\"S\":\"s\"}", access.Key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Scan", """{"TableName":"t"}""")]
    [InlineData("BatchGetItem", """{"RequestItems":{}}""")]
    [InlineData("Query", """{"TableName":"t","KeyConditionExpression":"sk = :t","ExpressionAttributeValues":{":t":{"S":"x"}}}""")]
    [InlineData("PutItem", """{"TableName":"t","Item":{"pk":{"S":"a"}}}""")]
    public void WhatCannotBePricedGoesThroughUnlimited(string operation, string body)
    {
        using var request = JsonDocument.Parse(body);

        Assert.Null(ItemAccessReader.Read(operation, request.RootElement, Schema));
    }

    private static TableKeySchema Schema { get; } = new("pk", "sk", new Dictionary<string, string> { ["UrlIndex"] = "SiteUrl" });

    private sealed class ToleranceComparer : IEqualityComparer<(double, double)>
    {
        public bool Equals((double, double) x, (double, double) y) => Math.Abs(x.Item1 - y.Item1) < 1e-9 && Math.Abs(x.Item2 - y.Item2) < 1e-9;

        public int GetHashCode((double, double) obj) => 0;
    }
}
