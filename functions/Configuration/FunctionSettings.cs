using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;

namespace CircuitBreaker.Functions.Configuration;

/// <summary>Everything a function instance needs from its environment, validated once at start.</summary>
/// <param name="Handler">Which handler this instance serves: one of <see cref="HandlerNames"/>.</param>
/// <param name="TableName">The DynamoDB table.</param>
/// <param name="EventBusName">The bus failure events go to; required by the webservice only.</param>
/// <param name="Region">The AWS region, for endpoints and signing.</param>
/// <param name="Routes">The routes, each with its breaker settings (one route, prefix "/", without <c>ROUTES</c>).</param>
internal sealed record FunctionSettings(string Handler, string TableName, string? EventBusName, string Region, RouteTable Routes)
{
    /// <summary>The replayer's dead-letter queue (<see cref="FunctionEnvironment.DeadLetterQueueUrl"/>); null without one.</summary>
    public Uri? DeadLetterQueueUrl { get; init; }

    /// <summary>
    /// Reads the settings through <paramref name="environment"/>; throws <see cref="FunctionConfigurationException"/>
    /// listing every problem, each naming the variable and the expected form.
    /// </summary>
    public static FunctionSettings Read(Func<string, string?> environment)
    {
        var problems = new List<string>();
        string? Required(string variable, string expected)
        {
            var value = environment(variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add($"{variable} is required: expected {expected}.");
                return null;
            }

            return value.Trim();
        }

        var handler = Required(FunctionEnvironment.Handler, $"'{HandlerNames.Webservice}', '{HandlerNames.Recorder}' or '{HandlerNames.Replayer}'");
        if (handler is not null and not (HandlerNames.Webservice or HandlerNames.Recorder or HandlerNames.Replayer))
        {
            problems.Add($"{FunctionEnvironment.Handler} is '{handler}': expected '{HandlerNames.Webservice}', '{HandlerNames.Recorder}' or '{HandlerNames.Replayer}'.");
        }

        var table = Required(FunctionEnvironment.TableName, "the DynamoDB table's name");
        var bus = handler is HandlerNames.Webservice or HandlerNames.Replayer
            ? Required(FunctionEnvironment.EventBusName, "the EventBridge bus's name")
            : environment(FunctionEnvironment.EventBusName);
        var region = Required(FunctionEnvironment.Region, "an AWS region such as eu-west-1");

        // Without ROUTES, the top-level DOWNSTREAM_URL is the one route, as before routes existed; a recorder needs neither
        // (a backend-only stack gives it the policy alone).
        IReadOnlyList<IReadOnlyDictionary<string, string>>? rawRoutes = null;
        var routesReadable = true;
        var routesJson = environment(RouteKeys.Routes.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(routesJson))
        {
            var (parsed, errors) = RouteListJson.Parse(routesJson, RouteKeys.Routes.EnvironmentVariable);
            problems.AddRange(errors);
            rawRoutes = parsed;
            routesReadable = parsed is not null;
        }

        var routes = routesReadable
            ? RouteTableReader.Read(
                setting => environment(setting.EnvironmentVariable),
                setting => setting.EnvironmentVariable,
                rawRoutes,
                (index, key) => $"{RouteKeys.Routes.EnvironmentVariable}[{index}].{key}",
                routesRequired: handler != HandlerNames.Recorder)
            : null;
        problems.AddRange(routes?.Errors ?? []);

        Uri? deadLetterQueue = null;
        if (environment(FunctionEnvironment.DeadLetterQueueUrl) is { Length: > 0 } rawQueue
            && (!Uri.TryCreate(rawQueue.Trim(), UriKind.Absolute, out deadLetterQueue) || deadLetterQueue.Scheme is not ("https" or "http")))
        {
            problems.Add($"{FunctionEnvironment.DeadLetterQueueUrl} is '{rawQueue}': expected an SQS queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/name.");
        }

        if (problems.Count > 0)
        {
            throw new FunctionConfigurationException(problems);
        }

        return new FunctionSettings(handler!, table!, bus, region!, routes!.Table!) { DeadLetterQueueUrl = deadLetterQueue };
    }
}
