using System.Globalization;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Measurements;

namespace Liblim.EfCore.Benchmarks;

/// <summary>The command line: short, full, measure, profile (and the memory figure's child processes).</summary>
internal static class Cli
{
    private const string Usage = """
        Liblim.EfCore benchmarks: what replication costs, as ratios against plain EF Core and raw SQL in the same run.

          short     figures 1, 2 and 4 with BenchmarkDotNet: few iterations, 10,000 sync rows
                    (a few minutes on 2 cores)
          full      the same with more iterations and 100,000 sync rows
          measure   figures 3, 5 to 12 (bytes on the wire, live latency, metadata size, memory, hub
                    concurrency, scoped delta sync, adoption, deleted rows collected, the conflict journal)
          profile SCENARIO[,SCENARIO...] REPETITIONS
                    one scenario (or several, in turn), repeated, to run under a profiler (dotnet-trace collect -- ...):
                    insert, update, delete (1,000 rows, replicated), raw (the sync figures' baseline), feed,
                    apply, apply-older, merge, merge-older, tcp (sync rows), merge-pg, merge-pg-older (into PostgreSQL)

        options:
          --rows N         rows of the sync figures (default: short 10000, full and measure 100000)
          --only NAMES     comma-separated: write, sync, postgres (BenchmarkDotNet commands) or
                           delta, live, metadata, memory, concurrency, scope, adopt, collect, conflicts (measure)
          --no-postgres    leave out the SQLite to PostgreSQL case
          --allocations    profile: after the last repetition, the bytes it allocated by type (sampled by the runtime)
        PostgreSQL: LIBLIM_BENCH_PG (a connection string whose user may create databases), else a throwaway
        cluster started with the server binaries installed here (initdb, pg_ctl).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        if (args[0] == MemoryChild.Command)
        {
            return await MemoryChild.RunAsync(args[1..]);
        }

        if (args[0] == HubConcurrency.Command)
        {
            return await HubConcurrency.RunChildAsync(args[1..]);
        }

        var profile = args[0] == "profile";
        if (profile && (args.Length < 3 || !int.TryParse(args[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
        {
            Console.Error.WriteLine($"profile SCENARIO REPETITIONS [options]; scenarios: {ProfileRun.Scenarios}");
            return 1;
        }

        var options = Options.Parse(args[(profile ? 3 : 1)..]);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }

        options = options with { Rows = options.Rows ?? (args[0] == "short" ? 10_000 : 100_000) };
        BenchmarkSettings.SyncRows = options.Rows!.Value;
        switch (args[0])
        {
            case "short":
            case "full":
                return BenchmarkRun.Run(full: args[0] == "full", options);
            case "profile":
                return await ProfileRun.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), options);
            case "measure":
                return await MeasureRun.RunAsync(options);
            default:
                Console.Error.WriteLine($"Unknown command '{args[0]}'.");
                Console.Error.WriteLine(Usage);
                return 1;
        }
    }
}
