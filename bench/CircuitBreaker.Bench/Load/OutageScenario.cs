using System.Diagnostics;
using System.Globalization;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;

namespace CircuitBreaker.Bench.Load;

/// <summary>
/// One scenario, driven end to end: the downstream is healthy, faulty as <see cref="Fault"/> says (it hangs, or
/// fails a share of calls at random) for <see cref="Outage"/>, then healthy again for <see cref="Recovery"/>,
/// under a steady open-loop load; the stored circuit state is sampled throughout and progress printed every few seconds.
/// </summary>
internal sealed record OutageScenario(TimeSpan Healthy, TimeSpan Outage, TimeSpan Recovery, LoadPlan Load, DownstreamFault Fault)
{
    public static readonly TimeSpan StateSampleInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public TimeSpan Total => Healthy + Outage + Recovery;

    public async Task<OutageRunResult> RunAsync(MeasuredLocalSystem stack, int repetition, TextWriter progress, CancellationToken cancellationToken)
    {
        var load = Report.LoadAverage.OneMinute();
        var phases = new OutagePhases(Healthy, Healthy + Outage, Total);
        var plan = Load with { Duration = Total };
        var driver = new LoadDriver(new Uri(stack.ApiBaseAddress, "/bench"), plan);
        stack.SetDownstreamFault(null);
        stack.ResetCounters();
        var started = stack.StartedTimestamp;
        var states = new List<StateSample>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var driving = driver.RunAsync(started, TimeSpan.Zero, cancellationToken);
        var boundaries = new DynamoDbCounts[2];
        var schedule = ScheduleAsync(stack, Fault, phases, started, boundaries, stop.Token);
        var sampler = SampleStatesAsync(stack, states, started, stop.Token);
        var reporter = ReportProgressAsync(stack, driver, states, started, repetition, progress, stop.Token);

        await driving.ConfigureAwait(false);
        if (boundaries[1] == default)
        {
            // The faulty phase lasted to the end (no recovery phase): its closing counts are the run's last.
            boundaries[1] = Counts(stack);
        }

        await stack.DrainEventsAsync(cancellationToken).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(Quietly(schedule), Quietly(sampler), Quietly(reporter)).ConfigureAwait(false);

        return new OutageRunResult(
            stack.Settings.Target.DownstreamTimeout,
            stack.Variant.Name,
            repetition,
            phases,
            driver.Samples,
            states,
            stack.Timings.Snapshot(),
            stack.WebserviceDynamoDb.Snapshot(),
            stack.RecorderDynamoDb.Snapshot(),
            stack.WebserviceDynamoDb.Reads,
            stack.WebserviceDynamoDb.Writes,
            stack.RecorderDynamoDb.Reads,
            stack.RecorderDynamoDb.Writes,
            stack.Variant.ReadUnitsPerRead,
            stack.Variant.WriteUnitsPerWrite,
            stack.DownstreamCalls,
            stack.DownstreamCallsWhileUnhealthy,
            stack.EventsPublished,
            stack.EventDeliveries,
            stack.WebserviceInstances,
            stack.RecorderInstances,
            driver.Shed,
            boundaries[0],
            boundaries[1],
            Fault.Scenario,
            Fault.Description,
            load);
    }

    private static async Task ScheduleAsync(MeasuredLocalSystem stack, DownstreamFault fault, OutagePhases phases, long started, DynamoDbCounts[] boundaries, CancellationToken cancellationToken)
    {
        await DelayUntilAsync(started, phases.OutageStartsAt, cancellationToken).ConfigureAwait(false);
        stack.SetDownstreamFault(fault);
        boundaries[0] = Counts(stack);
        await DelayUntilAsync(started, phases.RecoveryStartsAt, cancellationToken).ConfigureAwait(false);
        stack.SetDownstreamFault(null);
        boundaries[1] = Counts(stack);
    }

    private static DynamoDbCounts Counts(MeasuredLocalSystem stack) => new(
        stack.WebserviceDynamoDb.Reads, stack.WebserviceDynamoDb.Writes, stack.RecorderDynamoDb.Reads, stack.RecorderDynamoDb.Writes);

    private static async Task SampleStatesAsync(MeasuredLocalSystem stack, List<StateSample> states, long started, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(StateSampleInterval);
        do
        {
            try
            {
                var state = await stack.ReadStateAsync(cancellationToken).ConfigureAwait(false);
                lock (states)
                {
                    states.Add(new StateSample(Stopwatch.GetElapsedTime(started), state));
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // An observer's read failing says nothing about the breaker; the sample is skipped.
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private static async Task ReportProgressAsync(
        MeasuredLocalSystem stack, LoadDriver driver, List<StateSample> states, long started, int repetition, TextWriter progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var samples = driver.Samples;
            string state;
            lock (states)
            {
                state = states.Count > 0 ? states[^1].State : "?";
            }

            progress.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  [{stack.Variant.Name} #{repetition}] t={Stopwatch.GetElapsedTime(started).TotalSeconds,5:0}s downstream={stack.DownstreamState,-8} circuit={state,-9} "
                + $"answered={samples.Count,6} ok={samples.Count(s => s.Outcome == Outcome.Success),5} fast-fail={samples.Count(s => s.Outcome == Outcome.FailedFast),5} "
                + $"downstream-failed={samples.Count(s => s.Outcome == Outcome.DownstreamFailed),5} error={samples.Count(s => s.Outcome == Outcome.Error),4} "
                + $"instances={stack.WebserviceInstances,3} ddb r/w={stack.WebserviceDynamoDb.Reads + stack.RecorderDynamoDb.Reads}/{stack.WebserviceDynamoDb.Writes + stack.RecorderDynamoDb.Writes}"));
        }
    }

    private static async Task DelayUntilAsync(long started, TimeSpan at, CancellationToken cancellationToken)
    {
        var wait = at - Stopwatch.GetElapsedTime(started);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped at the end of the run.
        }
    }
}
