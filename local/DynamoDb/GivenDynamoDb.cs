using Amazon.Runtime;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Local.Hosting;

namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// Readies a DynamoDB the host did not start (<c>--dynamodb-endpoint</c>: DynamoDB Local, a proxy, or AWS's): the circuit
/// table is created there unless it exists, and waited for until ACTIVE. Anything that stops it is one line naming the
/// endpoint, before anything else starts.
/// </summary>
internal static class GivenDynamoDb
{
    // Each call's time and retries: an endpoint that does not answer is reported in seconds, not minutes.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Creates the table at <paramref name="endpoint"/> unless it exists, and waits until it is ACTIVE.</summary>
    /// <param name="endpoint">The DynamoDB endpoint.</param>
    /// <param name="tableName">The circuit table.</param>
    /// <param name="credentials">What to sign with, as the functions will.</param>
    /// <param name="activeTimeout">How long a new table may take to become ACTIVE (AWS takes seconds).</param>
    /// <param name="cancellationToken">Cancels (Ctrl+C).</param>
    /// <exception cref="DynamoDbEndpointUnavailableException">Unreachable, refused, or the table did not become ACTIVE.</exception>
    public static async Task EnsureTableAsync(
        Uri endpoint, string tableName, FunctionCredentials credentials, TimeSpan activeTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        using var client = AwsClientFactory.DynamoDb(endpoint, credentials.Region, CallTimeout, credentials.ToSdkCredentials(), maxErrorRetry: 1);
        var named = $"DynamoDB at {endpoint} (--dynamodb-endpoint)";
        try
        {
            await new CircuitTableProvisioner(activeTimeout).CreateAsync(client, tableName, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutException notActive)
        {
            throw new DynamoDbEndpointUnavailableException($"{named}: {OneLine(notActive.Message)}.", notActive);
        }
        catch (AmazonServiceException refused) when (!string.IsNullOrEmpty(refused.ErrorCode))
        {
            throw new DynamoDbEndpointUnavailableException(
                $"{named} refused to describe or create table '{tableName}': {refused.ErrorCode}: {OneLine(refused.Message)}.", refused);
        }
        catch (AmazonServiceException notDynamoDb) when (notDynamoDb.StatusCode != 0)
        {
            // Something answered HTTP, but not DynamoDB's JSON: a wrong port, a web server, a proxy's error page.
            throw new DynamoDbEndpointUnavailableException(
                $"{named} answered HTTP {(int)notDynamoDb.StatusCode} ({notDynamoDb.StatusCode}), not as DynamoDB answers.", notDynamoDb);
        }
        catch (Exception unreachable) when (unreachable is AmazonClientException or AmazonServiceException or HttpRequestException or IOException
            or OperationCanceledException)
        {
            throw new DynamoDbEndpointUnavailableException($"{named} is unreachable: {Reason(unreachable)}.", unreachable);
        }
    }

    // The SDK wraps the network's own words (connection refused, no such host) a layer or two deep.
    private static string Reason(Exception error)
    {
        for (Exception? cause = error; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case System.Net.Sockets.SocketException socket:
                    return OneLine(socket.Message);
                case TimeoutException or OperationCanceledException:
                    return $"no answer within {CallTimeout.TotalSeconds:0} s";
            }
        }

        var innermost = error;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return OneLine(innermost.Message);
    }

    // Whatever an exception says is kept to one line, so that one problem is one line.
    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
}
