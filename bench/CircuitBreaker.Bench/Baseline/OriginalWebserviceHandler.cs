using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Bench.Baseline;

/// <summary>
/// The original cdk-patterns webservice's algorithm: on every request, query the index for the service's
/// failures whose expiry lies in the future; at or above the threshold answer at once, otherwise call the
/// downstream with the timeout and put a failure event on the bus when it fails. There is no open state and
/// no probe: the circuit "closes" by itself when enough failures have expired, and then every request
/// in flight at that instant calls the downstream again. Responses use the same shapes as ours (503 for
/// fail-fast, 504/502 for a failed call) so clients see comparable outcomes; the original answered 500 for both.
/// </summary>
internal sealed class OriginalWebserviceHandler(
    IAmazonDynamoDB dynamo,
    string tableName,
    DownstreamClient downstream,
    IFailurePublisher publisher,
    CircuitSettings settings,
    TimeProvider time,
    FunctionLog log) : IInvocationHandler
{
    public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var (request, _) = HttpApiRequestReader.Read(invocation.Payload);
        var (relay, rejection) = downstream.Prepare(request);
        if (relay is null)
        {
            return JsonSerializer.SerializeToUtf8Bytes(
                WebserviceResponses.Rejected(rejection!, settings.ServiceId, invocation.RequestId), HttpJsonContext.Default.HttpApiResponse);
        }

        var now = time.GetUtcNow();

        // Eventually consistent, as a GSI read must be; every request pays for it.
        var recent = await dynamo.QueryAsync(
            OriginalTableLayout.UnexpiredFailures(tableName, settings.ServiceId, now),
            cancellationToken).ConfigureAwait(false);

        var count = recent.Count ?? 0;
        HttpApiResponse response;
        if (count >= settings.Policy.FailureThreshold)
        {
            response = WebserviceResponses.CircuitOpen(
                settings.ServiceId,
                CircuitStateNames.Open,
                ReopensAt(recent.Items) is { } reopensAt ? reopensAt - now : null,
                invocation.RequestId);
            log.Info("circuit open: failing fast", new LogScope(invocation.RequestId, settings.ServiceId, "open"), ("recentFailures", count));
            return JsonSerializer.SerializeToUtf8Bytes(response, HttpJsonContext.Default.HttpApiResponse);
        }

        var budget = invocation.RemainingTime(time) - CircuitSettings.ResponseReserve;
        var timeout = settings.Target.DownstreamTimeout;
        var outcome = await downstream.CallAsync(relay, budget < timeout ? budget : timeout, settings.Policy.FailureStatusCodes, cancellationToken)
            .ConfigureAwait(false);
        if (outcome.Failure is { } failed)
        {
            var failure = FailureReports.Of(
                settings.ServiceId, time.GetUtcNow(), failed.Reason, failed.StatusCode, invocation.RequestId, outcome.Elapsed, failed.RetryAfter);
            await publisher.PublishAsync(failure, cancellationToken).ConfigureAwait(false);
        }

        response = outcome.Kind == DownstreamOutcomeKind.Answered
            ? WebserviceResponses.Relay(outcome)
            : WebserviceResponses.DownstreamFailed(settings.ServiceId, outcome, CircuitStateNames.Closed, invocation.RequestId);
        log.Info("request handled", new LogScope(invocation.RequestId, settings.ServiceId, "closed"), ("status", response.StatusCode), ("recentFailures", count));
        return JsonSerializer.SerializeToUtf8Bytes(response, HttpJsonContext.Default.HttpApiResponse);
    }

    // Only for the Retry-After header: the original sent none. Failures expire one by one, so the count falls
    // under the threshold when the (count - threshold + 1)-th earliest expiry passes.
    private DateTimeOffset? ReopensAt(List<Dictionary<string, AttributeValue>>? items)
    {
        if (items is null || items.Count < settings.Policy.FailureThreshold)
        {
            return null;
        }

        var expiries = items
            .Select(item => long.Parse(item[OriginalTableLayout.ExpirationTime].N, CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        return DateTimeOffset.FromUnixTimeSeconds(expiries[items.Count - settings.Policy.FailureThreshold]);
    }
}
