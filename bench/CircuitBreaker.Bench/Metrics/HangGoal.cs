namespace CircuitBreaker.Bench.Metrics;

/// <summary>
/// Issue 9's goal for a hang, checked for one variant against the original: at most 1/50 of its calls into the
/// dead downstream and at most 1/20 of its function-seconds.
/// </summary>
internal sealed record HangGoal(string Variant, double DeadCallsRatio, double FunctionSecondsRatio)
{
    public const double DeadCallsGoal = 1.0 / 50;

    public const double FunctionSecondsGoal = 1.0 / 20;

    public bool MeetsDeadCalls => DeadCallsRatio <= DeadCallsGoal;

    public bool MeetsFunctionSeconds => FunctionSecondsRatio <= FunctionSecondsGoal;

    public static HangGoal Of(OutageSummary variant, OutageSummary baseline) => new(
        variant.Variant,
        Ratio(variant.DownstreamCallsWhileUnhealthy, baseline.DownstreamCallsWhileUnhealthy),
        Ratio(variant.FunctionSeconds, baseline.FunctionSeconds));

    private static double Ratio(double ours, double original) => original > 0 ? ours / original : double.NaN;
}
