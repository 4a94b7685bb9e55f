namespace CircuitBreaker.Infra.Monitoring;

/// <summary>Links into the AWS console, and the ARN arithmetic they need.</summary>
public static class ConsoleLinks
{
    /// <summary>The CloudWatch console page of the dashboard <paramref name="dashboardName"/> in <paramref name="region"/>.</summary>
    public static string Dashboard(string region, string dashboardName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(dashboardName);
        return $"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={Uri.EscapeDataString(dashboardName)}";
    }

    /// <summary>
    /// The region of a regional resource's ARN (<c>arn:partition:service:region:account:resource</c>):
    /// the stack reads it from a resource it created, so it is the region the provider really deployed to.
    /// </summary>
    /// <exception cref="ArgumentException">The ARN has no region.</exception>
    public static string RegionOf(string arn)
    {
        ArgumentNullException.ThrowIfNull(arn);
        var parts = arn.Split(':', 6);
        if (parts.Length < 6 || parts[0] != "arn" || parts[3].Length == 0)
        {
            throw new ArgumentException($"'{arn}' is not the ARN of a regional resource.", nameof(arn));
        }

        return parts[3];
    }
}
