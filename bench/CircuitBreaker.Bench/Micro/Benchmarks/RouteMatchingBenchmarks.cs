using BenchmarkDotNet.Attributes;
using CircuitBreaker.Functions.Webservice.Routing;

namespace CircuitBreaker.Bench.Micro.Benchmarks;

/// <summary>Finding a request's route: the path as matching reads it (encoded letters decoded) and the longest prefix.</summary>
public class RouteMatchingBenchmarks
{
    private RouteMatcher _matcher = null!;

    /// <summary>How many routes the table has.</summary>
    [Params(1, 2, 20)]
    public int Routes { get; set; }

    // Its route is the table's shortest prefix, so every other one is tried first; the encoded 'o' is decoded.
    private const string RawPath = "/%6frders/7";

    [GlobalSetup]
    public void Setup()
    {
        var prefixes = Enumerable.Range(1, Routes - 1).Select(i => $"/service-{i:00}/v{i % 3}").Append("/orders").ToList();
        _matcher = new RouteMatcher(prefixes);
    }

    [Benchmark(Description = "match a path")]
    public int? Match() => _matcher.Match(MatchingPath.Of(RawPath));
}
