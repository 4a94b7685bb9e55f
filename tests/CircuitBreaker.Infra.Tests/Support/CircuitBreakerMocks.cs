using System.Collections.Immutable;
using Pulumi.Testing;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// Stands in for the Pulumi engine and AWS: echoes each resource's inputs as its state and adds the
/// attributes AWS computes (ARNs, URLs, generated names), recording every resource it is asked for.
/// </summary>
internal sealed class CircuitBreakerMocks : IMocks
{
    public const string AccountId = "123456789012";
    public const string Region = "us-east-1";

    private readonly Lock _gate = new();
    private readonly List<RecordedResource> _resources = [];

    public IReadOnlyList<RecordedResource> Resources
    {
        get
        {
            lock (_gate)
            {
                return [.. _resources];
            }
        }
    }

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        var type = args.Type ?? string.Empty;
        var logicalName = args.Name ?? string.Empty;
        var inputs = args.Inputs;
        var name = inputs.TryGetValue("name", out var given) && given is string text ? text : $"{logicalName}-a1b2c3";
        var id = type == "aws:iam/role:Role" ? name : $"{logicalName}-id";

        string? InputText(string key) => inputs.TryGetValue(key, out var value) ? value as string : null;

        var state = ImmutableDictionary.CreateBuilder<string, object>();
        state.AddRange(inputs);
        switch (type)
        {
            case "aws:dynamodb/table:Table":
                state["name"] = name;
                state["arn"] = $"arn:aws:dynamodb:{Region}:{AccountId}:table/{name}";
                break;
            case "aws:cloudwatch/eventBus:EventBus":
                state["name"] = name;
                state["arn"] = $"arn:aws:events:{Region}:{AccountId}:event-bus/{name}";
                break;
            case "aws:cloudwatch/eventRule:EventRule":
                state["name"] = name;
                state["arn"] = $"arn:aws:events:{Region}:{AccountId}:rule/{InputText("eventBusName")}/{name}";
                break;
            case "aws:sqs/queue:Queue":
                state["name"] = name;
                state["arn"] = $"arn:aws:sqs:{Region}:{AccountId}:{name}";
                state["url"] = $"https://sqs.{Region}.amazonaws.com/{AccountId}/{name}";
                break;
            case "aws:cloudwatch/logGroup:LogGroup":
                state["name"] = name;
                state["arn"] = $"arn:aws:logs:{Region}:{AccountId}:log-group:{name}";
                break;
            case "aws:iam/role:Role":
                state["name"] = name;
                state["arn"] = $"arn:aws:iam::{AccountId}:role/{name}";
                break;
            case "aws:lambda/function:Function":
                var functionArn = $"arn:aws:lambda:{Region}:{AccountId}:function:{name}";
                state["name"] = name;
                state["arn"] = functionArn;
                state["invokeArn"] = $"arn:aws:apigateway:{Region}:lambda:path/2015-03-31/functions/{functionArn}/invocations";
                break;
            case "aws:apigatewayv2/api:Api":
                state["name"] = name;
                state["arn"] = $"arn:aws:apigateway:{Region}::/apis/{id}";
                state["apiEndpoint"] = $"https://{id}.execute-api.{Region}.amazonaws.com";
                state["executionArn"] = $"arn:aws:execute-api:{Region}:{AccountId}:{id}";
                break;
            case "aws:apigatewayv2/stage:Stage":
                var apiId = InputText("apiId");
                var stageName = InputText("name");
                state["invokeUrl"] = $"https://{apiId}.execute-api.{Region}.amazonaws.com/{(stageName == "$default" ? string.Empty : stageName)}";
                state["executionArn"] = $"arn:aws:execute-api:{Region}:{AccountId}:{apiId}/{stageName}";
                break;
            case "aws:sns/topic:Topic":
                state["name"] = name;
                state["arn"] = $"arn:aws:sns:{Region}:{AccountId}:{name}";
                break;
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                state["name"] = name;
                state["arn"] = $"arn:aws:cloudwatch:{Region}:{AccountId}:alarm:{name}";
                break;
            case "aws:cloudwatch/dashboard:Dashboard":
                state["dashboardArn"] = $"arn:aws:cloudwatch::{AccountId}:dashboard/{InputText("dashboardName")}";
                break;
            default:
                state["arn"] = $"arn:aws:mock:{Region}:{AccountId}:{type}/{logicalName}";
                break;
        }

        var answered = state.ToImmutable();
        lock (_gate)
        {
            _resources.Add(new RecordedResource(type, logicalName, id, inputs, answered));
        }

        return Task.FromResult<(string? id, object state)>((id, answered));
    }

    public Task<object> CallAsync(MockCallArgs args)
    {
        object result = args.Token switch
        {
            "aws:index/getCallerIdentity:getCallerIdentity" => ImmutableDictionary<string, object>.Empty
                .Add("accountId", AccountId)
                .Add("arn", $"arn:aws:iam::{AccountId}:user/test")
                .Add("userId", "AIDATEST")
                .Add("id", AccountId),
            "aws:index/getRegion:getRegion" => ImmutableDictionary<string, object>.Empty
                .Add("name", Region)
                .Add("region", Region)
                .Add("id", Region),
            "aws:index/getPartition:getPartition" => ImmutableDictionary<string, object>.Empty
                .Add("partition", "aws")
                .Add("dnsSuffix", "amazonaws.com")
                .Add("id", "aws"),
            _ => ImmutableDictionary<string, object>.Empty,
        };
        return Task.FromResult(result);
    }
}
