using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;

namespace CircuitBreaker.Aws.Configuration;

/// <summary>
/// Resolves a service's endpoint the way the AWS SDKs do: the service-specific
/// <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, then <c>AWS_ENDPOINT_URL</c>, then the public regional endpoint.
/// Read through a lookup rather than the process environment so that functions hosted in-process
/// (local mode, tests) each see their own.
/// </summary>
public static class AwsServiceEndpoint
{
    /// <summary>Resolves the endpoint for EventBridge.</summary>
    public static Uri ForEvents(Func<string, string?> environment, string region) =>
        Resolve(environment, FunctionEnvironment.EventsEndpointUrl, $"https://events.{region}.amazonaws.com/");

    /// <summary>Resolves an explicit DynamoDB endpoint, or null to let the SDK choose the regional one.</summary>
    public static Uri? DynamoDbOverride(Func<string, string?> environment) =>
        Override(environment, FunctionEnvironment.DynamoDbEndpointUrl);

    private static Uri Resolve(Func<string, string?> environment, string serviceVariable, string regionalDefault) =>
        Override(environment, serviceVariable) ?? new Uri(regionalDefault);

    private static Uri? Override(Func<string, string?> environment, string serviceVariable)
    {
        foreach (var variable in new[] { serviceVariable, FunctionEnvironment.EndpointUrl })
        {
            var value = environment(variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new FunctionConfigurationException([$"{variable} is '{value}': expected an absolute http or https URL."]);
            }

            return uri;
        }

        return null;
    }
}
