using CircuitBreaker.Bench.Micro;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Dynalite;

namespace CircuitBreaker.Bench;

/// <summary>The bench's entry: --help, dynalite installed as the local host installs it, then the measurements.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => RunAsync(args, Console.Out, CancellationToken.None);

    /// <summary>Runs the bench command in <paramref name="args"/>; the exit code is 0, 1 (dynalite cannot run) or 2 (bad options).</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        if (BenchOptions.AsksForHelp(args))
        {
            await output.WriteLineAsync(BenchOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        if (args is ["metrics-overhead"])
        {
            MetricsOverheadBench.WriteLineSizes(output);
            return RunSuite([typeof(Micro.Benchmarks.MetricsOverheadBenchmarks)], output);
        }

        // Bad options are said before anything is installed; a report rendered from saved measurements needs no dynalite.
        var needsDynalite = true;
        if (args is not ["polly-overhead"] && args is not ["stale-writes", ..])
        {
            try
            {
                needsDynalite = BenchOptions.Parse(args).RenderFrom is null;
            }
            catch (ArgumentException error)
            {
                await output.WriteLineAsync(error.Message).ConfigureAwait(false);
                return 2;
            }
        }

        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? RepositoryRoot.Find(Directory.GetCurrentDirectory());
        if (needsDynalite && root is not null && !await PrepareDynaliteAsync(root, output, cancellationToken).ConfigureAwait(false))
        {
            return 1;
        }

        try
        {
            if (args is ["stale-writes", ..] && root is not null)
            {
                return await Load.StaleWritesBench.RunAsync(Load.StaleWritesBench.Duration(args), new BenchOptions().Stack, root, output, cancellationToken).ConfigureAwait(false);
            }

            return args is ["polly-overhead"]
                ? RunSuite([typeof(Micro.Benchmarks.PollyOverheadBenchmarks)], output)
                : await BenchCommand.RunAsync(args, output, cancellationToken).ConfigureAwait(false);
        }
        catch (DynaliteUnavailableException error)
        {
            await output.WriteLineAsync(error.Message).ConfigureAwait(false);
            return 1;
        }
    }

    // One suite on BenchmarkDotNet, its summary table printed; a checkout is needed for the artifacts' folder.
    private static int RunSuite(Type[] benchmarks, TextWriter output)
    {
        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? RepositoryRoot.Find(Directory.GetCurrentDirectory());
        if (root is null)
        {
            output.WriteLine($"{RepositoryRoot.MarkerFile} not found above the bench's folder or the working directory: run the bench from a checkout.");
            return 2;
        }

        var results = MicroBenchmarkSuite.Run(benchmarks, MicroBenchmarkSuite.ArtifactsDirectory(root), output);
        return results.Count > 0 ? 0 : 1;
    }

    /// <summary>
    /// Installs dynalite under <paramref name="repositoryRoot"/> if a fresh clone lacks it, with the local host's own
    /// installer (npm ci from package-lock.json); false, after one line saying what to do, when it is still missing.
    /// </summary>
    internal static async Task<bool> PrepareDynaliteAsync(string repositoryRoot, TextWriter output, CancellationToken cancellationToken)
    {
        await DynaliteInstaller.EnsureInstalledAsync(repositoryRoot, output, cancellationToken).ConfigureAwait(false);
        if (DynaliteInstaller.IsInstalled(repositoryRoot))
        {
            return true;
        }

        await output.WriteLineAsync(
            $"dynalite is not installed in {Path.Combine(repositoryRoot, "node_modules")}: run `npm ci --no-audit --no-fund` in {repositoryRoot}.").ConfigureAwait(false);
        return false;
    }
}
