namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// How many read and write capacity units one item may consume per second. DynamoDB serves at most 3,000 read units and
/// 1,000 write units per second from one partition, and an item always lives in exactly one partition (Developer Guide,
/// "Partitions and data distribution", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.Partitions.html,
/// and "Read/write capacity mode", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/capacity-mode.html): however
/// much the table may serve, one hot item gets no more, in provisioned and on-demand mode alike.
/// </summary>
internal sealed record ItemThroughputLimits
{
    /// <param name="readUnitsPerSecond">Read capacity units per second, greater than 0.</param>
    /// <param name="writeUnitsPerSecond">Write capacity units per second, greater than 0.</param>
    public ItemThroughputLimits(double readUnitsPerSecond, double writeUnitsPerSecond)
    {
        ReadUnitsPerSecond = Positive(readUnitsPerSecond, nameof(readUnitsPerSecond));
        WriteUnitsPerSecond = Positive(writeUnitsPerSecond, nameof(writeUnitsPerSecond));
    }

    /// <summary>DynamoDB's own: 3,000 read units and 1,000 write units per second per partition.</summary>
    public static ItemThroughputLimits DynamoDbPartition { get; } = new(3000, 1000);

    /// <summary>Read capacity units per second.</summary>
    public double ReadUnitsPerSecond { get; }

    /// <summary>Write capacity units per second.</summary>
    public double WriteUnitsPerSecond { get; }

    /// <summary>
    /// These limits times <paramref name="factor"/>: the bench runs production's durations divided by ten, and a machine that
    /// serves a tenth of the traffic meets a tenth of the limit at the same share of it (3,000/s at 0.1 is 300/s).
    /// </summary>
    /// <param name="factor">Greater than 0; 1 keeps DynamoDB's limits.</param>
    public ItemThroughputLimits Scaled(double factor) =>
        new(ReadUnitsPerSecond * Positive(factor, nameof(factor)), WriteUnitsPerSecond * factor);

    private static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Must be a finite number greater than 0.");
}
