using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Configuration;

namespace CircuitBreaker.Functions.Events;

/// <summary>Where <see cref="PutEventsClient"/> puts events and how hard it tries.</summary>
internal sealed record PutEventsClientOptions
{
    /// <summary>EventBridge's endpoint; requests go to its root path.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The signing region's system name.</summary>
    public required string Region { get; init; }

    /// <summary>The bus every event is put on.</summary>
    public required string EventBusName { get; init; }

    /// <summary>Attempts per event, the first included.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The longest wait before the second attempt; each later attempt may wait twice as long.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>No wait between attempts is longer than this.</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Reads the options from a function's environment: <c>AWS_REGION</c>, <c>EVENT_BUS_NAME</c>, and the
    /// endpoint as <see cref="AwsServiceEndpoint.ForEvents"/> resolves it.
    /// </summary>
    /// <exception cref="FunctionConfigurationException">A variable is missing or malformed.</exception>
    public static PutEventsClientOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var region = environment(FunctionEnvironment.Region);
        var bus = environment(FunctionEnvironment.EventBusName);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(region))
        {
            problems.Add($"{FunctionEnvironment.Region} is required: expected an AWS region name such as eu-west-1.");
        }

        if (string.IsNullOrWhiteSpace(bus))
        {
            problems.Add($"{FunctionEnvironment.EventBusName} is required: expected the name or ARN of the event bus.");
        }

        if (problems.Count > 0)
        {
            throw new FunctionConfigurationException(problems);
        }

        return new PutEventsClientOptions
        {
            Endpoint = AwsServiceEndpoint.ForEvents(environment, region!.Trim()),
            Region = region.Trim(),
            EventBusName = bus!.Trim(),
        };
    }
}
