using Amazon.DynamoDBv2;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.Dynalite;

[Collection(DynaliteTests.Name)]
public sealed class CircuitTableProvisionerTests(DynaliteFixture dynalite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreatesAnActiveOnDemandTableKeyedAsTheContractSays()
    {
        using var client = dynalite.CreateClient();
        var name = $"provisioned-{Guid.NewGuid():N}";

        await new CircuitTableProvisioner().CreateAsync(client, name, Token);

        var table = (await client.DescribeTableAsync(name, Token)).Table;
        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode);
        Assert.Equal(
            [(CircuitTable.PartitionKey, "HASH"), (CircuitTable.SortKey, "RANGE")],
            table.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)));
        Assert.All(table.AttributeDefinitions, a => Assert.Equal(CircuitTable.KeyAttributeType, a.AttributeType.Value));
    }

    [Fact]
    public async Task CreatingAnExistingTableIsFine()
    {
        using var client = dynalite.CreateClient();
        var name = $"twice-{Guid.NewGuid():N}";
        var provisioner = new CircuitTableProvisioner();

        await provisioner.CreateAsync(client, name, Token);
        await provisioner.CreateAsync(client, name, Token);

        Assert.Equal(TableStatus.ACTIVE, (await client.DescribeTableAsync(name, Token)).Table.TableStatus);
    }
}
