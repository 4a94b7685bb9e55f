using System.Text;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;
using static CircuitBreaker.Bench.Report.Markdown;

namespace CircuitBreaker.Bench.Report;

/// <summary>The cost model's part of the report: a 10-minute production outage priced for every hang variant.</summary>
internal static class CostSection
{
    /// <summary>Assumed EventBridge-to-recorder latency in production (not measured here).</summary>
    public static readonly TimeSpan ProductionDeliveryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The production outage for one variant: the original's settings, with the variant's modes scaled from them.</summary>
    public static OutageProfile ProductionProfile(BreakerVariant variant)
    {
        var profile = OutageProfile.Production(ProductionDeliveryDelay);
        return variant.IsBaseline ? profile : profile.WithModes(variant.Configure(OutageProfile.ProductionSettings));
    }

    public static void Write(StringBuilder md, BenchOptions o, IReadOnlyList<BreakerVariant> variants, IReadOnlyDictionary<string, List<OutageRunResult>> runs)
    {
        var baseline = variants.First(v => v.IsBaseline);
        md.AppendLine("## Cost of a real outage");
        md.AppendLine();
        md.AppendLine(Inv($"10 minutes of a hanging downstream at 50 req/s, 10 s timeout, 256 MB arm64 functions, threshold {o.Stack.FailureThreshold}, 60 s window and open period; slow calls at 2 s (timeout / 5), backoff up to 480 s (8 open periods); EventBridge-to-recorder delivery assumed {ProductionDeliveryDelay.TotalSeconds:0} s. "));
        md.AppendLine("Calls into the dead downstream follow from each design and its modes (each costs a full timeout of function time); everything else is the per-request figures measured in the hang runs above. Events are the failure events; our state-change events (about two per probe) are left out: a few dozen events cost a few millionths of a dollar.");
        md.AppendLine();
        var units = variants.ToDictionary(v => v.Name, v => UnitCostsMeasured.From(runs[v.Name]));
        var labels = variants.Select(v => v.Label).ToList();

        md.AppendLine("Measured per-request figures (medians over the runs):");
        md.AppendLine();
        Header(md, string.Empty, labels);
        void UnitRow(string name, Func<UnitCosts, double> field, string format) =>
            md.AppendLine($"| {name} | {string.Join(" | ", variants.Select(v => Num(field(units[v.Name]), format)))} |");
        UnitRow("Webservice time of a fast-failed request (mean, ms)", u => u.FastFailMilliseconds, "0.000");
        UnitRow("Recorder time per event (mean, ms)", u => u.RecorderMilliseconds, "0.00");
        UnitRow("Read request units per webservice request during the outage", u => u.ReadUnitsPerWebserviceRequest, "0.0000");
        UnitRow("Read request units per recorded event", u => u.ReadUnitsPerEvent, "0.00");
        UnitRow("Write request units per recorded event", u => u.WriteUnitsPerEvent, "0.00");
        md.AppendLine();
        md.AppendLine("Read units: ours reads strongly consistently (1 RRU per read of a small item), the original's GSI query is eventually consistent (0.5 RRU). Write units: the original's failure item is also written to its index (2 WRU).");
        md.AppendLine();

        md.AppendLine("Check of the call model against the scaled runs (the measured recorder time as the delay to counting):");
        md.AppendLine();
        md.AppendLine("| Variant | Modelled calls into the dead downstream | Measured (median) |");
        md.AppendLine("|---|---:|---:|");
        foreach (var variant in variants)
        {
            var measured = Percentiles.Median(runs[variant.Name].Select(r => (double)r.DownstreamCallsWhileUnhealthy).ToList());
            md.AppendLine(Inv($"| {variant.Label} | {CostModel.DownstreamCalls(variant.Design, HangSection.ScaledProfile(o, variant, runs[variant.Name])):0} | {measured:0} |"));
        }

        md.AppendLine();
        var usage = variants.ToDictionary(v => v.Name, v => CostModel.Usage(v.Design, ProductionProfile(v), units[v.Name]));
        var bills = usage.ToDictionary(kv => kv.Key, kv => CostModel.Bill(kv.Value));
        Header(md, "Usage in the 10-minute outage", labels);
        void UsageRow(string name, Func<OutageUsage, double> field) =>
            md.AppendLine($"| {name} | {string.Join(" | ", variants.Select(v => WithRatio(field(usage[v.Name]), field(usage[baseline.Name]), "0", v.IsBaseline)))} |");
        UsageRow("Requests", u => u.Requests);
        UsageRow("Calls into the dead downstream", u => u.DownstreamCalls);
        UsageRow("Failure events", u => u.Events);
        UsageRow("Function-seconds", u => u.FunctionSeconds);
        UsageRow("GB-seconds", u => u.GigabyteSeconds);
        UsageRow("DynamoDB read request units", u => u.ReadRequestUnits);
        UsageRow("DynamoDB write request units", u => u.WriteRequestUnits);
        md.AppendLine();
        Header(md, "Bill (USD)", labels);
        void MoneyRow(string name, Func<OutageBill, decimal> field) =>
            md.AppendLine($"| {name} | {string.Join(" | ", variants.Select(v => WithRatio((double)field(bills[v.Name]), (double)field(bills[baseline.Name]), "0.0000", v.IsBaseline)))} |");
        MoneyRow("Lambda requests", b => b.LambdaRequests);
        MoneyRow("Lambda duration (arm64)", b => b.LambdaDuration);
        MoneyRow("HTTP API requests", b => b.HttpApi);
        MoneyRow("EventBridge custom events", b => b.EventBridge);
        MoneyRow("DynamoDB reads", b => b.DynamoDbReads);
        MoneyRow("DynamoDB writes", b => b.DynamoDbWrites);
        MoneyRow("**Total**", b => b.Total);
        md.AppendLine();
        md.AppendLine("Ratio mode is not in the hang runs, so it is not priced here: it cannot open before `minimumThroughput` calls are counted within the window, so its first wave is at least that many calls, and its call counting adds the writes per request measured in the noise runs.");
        md.AppendLine();
        md.AppendLine("Prices (US East, N. Virginia; free tiers ignored). AWS's own pricing pages render their rates client-side, so the stored copies carry no numbers; each rate is taken from a source that quotes it:");
        md.AppendLine();
        md.AppendLine("| Item | Price | Source | Source's date |");
        md.AppendLine("|---|---|---|---|");
        foreach (var price in AwsPrices.All)
        {
            var perMillion = price.UsdPerUnit * 1_000_000;
            var shown = price.Unit == "GB-second" ? Inv($"${price.UsdPerUnit:0.0000000000} per GB-second") : Inv($"${perMillion:0.000} per million {price.Unit}s");
            md.AppendLine(Inv($"| {price.Item} | {shown} | {price.Source} | {price.SourceDate} |"));
        }

        md.AppendLine();
    }
}
