namespace CircuitBreaker.Bench.Report;

/// <summary>One published AWS price (US East, N. Virginia), with where it was read and the date that source carries.</summary>
internal sealed record AwsPrice(string Item, decimal UsdPerUnit, string Unit, string Source, string SourceDate);

/// <summary>
/// The prices the cost model uses. aws.amazon.com's pricing pages render their rates with client-side tokens,
/// so the stored copies of those pages show no numbers; each rate below is taken from the source named
/// beside it, which quotes the AWS page (the date is the one the source states).
/// </summary>
internal static class AwsPrices
{
    public static readonly AwsPrice LambdaRequests = new(
        "Lambda requests", 0.20m / 1_000_000, "request",
        "https://raw.githubusercontent.com/api-evangelist/aws-lambda/refs/heads/main/plans/aws-lambda-plans-pricing.yml (transcribed from https://aws.amazon.com/lambda/pricing/: \"$0.20 per million requests\")",
        "page read 2026-09-20");

    public static readonly AwsPrice LambdaArmGbSecond = new(
        "Lambda duration, Arm (arm64), first 7.5 billion GB-s/month", 0.0000133334m, "GB-second",
        "https://cloudchipr.com/blog/aws-lambda-pricing (\"ARM Pricing – First 7.5 Billion GB-seconds per month: $0.0000133334 per GB-second\", US East); same rate in artillery's https://app.unpkg.com/artillery@2.0.28/files/lib/platform/aws-lambda/prices.js citing https://aws.amazon.com/lambda/pricing/",
        "guide dated 2024");

    public static readonly AwsPrice HttpApiRequests = new(
        "API Gateway HTTP API requests, first 300 million/month", 1.00m / 1_000_000, "request",
        "https://docs.aws.amazon.com/pt_br/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html (AWS whitepaper, Table 4: HTTP, us-east-1, \"First 300 million requests (per month): $1.00 (per million)\")",
        "undated stored copy");

    public static readonly AwsPrice EventBridgeCustomEvents = new(
        "EventBridge custom events published", 1.00m / 1_000_000, "event",
        "https://cloudburn.io/blog/amazon-eventbridge-pricing (\"Event Bus (custom events) – Per million events ingested – $1.00\", US East); same in https://www.factualminds.com/blog/amazon-eventbridge-pricing-events-pipes-schema-archive/ (June 2026)",
        "March 13, 2026");

    public static readonly AwsPrice DynamoDbReadRequestUnits = new(
        "DynamoDB on-demand read request units", 0.125m / 1_000_000, "RRU",
        "https://airbyte.com/data-engineering-resources/dynamodb-pricing (\"Read Request Units (RRU): $0.125 per million\", US East, after the November 2024 on-demand price cut)",
        "July 21, 2025");

    public static readonly AwsPrice DynamoDbWriteRequestUnits = new(
        "DynamoDB on-demand write request units", 0.625m / 1_000_000, "WRU",
        "https://airbyte.com/data-engineering-resources/dynamodb-pricing (\"Write Request Units (WRU): $0.625 per million\", US East)",
        "July 21, 2025");

    public static IReadOnlyList<AwsPrice> All { get; } =
        [LambdaRequests, LambdaArmGbSecond, HttpApiRequests, EventBridgeCustomEvents, DynamoDbReadRequestUnits, DynamoDbWriteRequestUnits];
}
