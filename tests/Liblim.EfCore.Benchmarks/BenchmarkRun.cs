using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Liblim.EfCore.Benchmarks.Benchmarks;
using Liblim.EfCore.Benchmarks.Infrastructure;

namespace Liblim.EfCore.Benchmarks;

/// <summary>
/// The <c>short</c> and <c>full</c> commands: figures 1, 2 and 4 with BenchmarkDotNet, then one table of the
/// figures as ratios of medians measured in this run.
/// </summary>
/// <remarks>
/// Benchmarks run in this process (BenchmarkDotNet's in-process toolchain): no per-benchmark project is generated
/// and built, which on 2 cores would take longer than the short job itself, and the 100,000-row templates are
/// built once and shared. Every iteration does one operation (one SaveChanges, one sync) on fresh copies of
/// template files, prepared in the iteration setup.
/// </remarks>
internal static class BenchmarkRun
{
    public static int Run(bool full, Options options)
    {
        var kind = full ? "full" : "short";
        var runs = new List<(Type Type, int Warmups, int Iterations)>();
        if (options.Wants("write"))
        {
            runs.Add((typeof(WriteBenchmarks), full ? 10 : 6, full ? 30 : 15));
        }

        if (options.Wants("sync"))
        {
            runs.Add((typeof(SyncBenchmarks), 1, full ? 5 : 3));
        }

        string? postgresNote = null;
        if (options.Wants("postgres"))
        {
            if (!options.Postgres)
            {
                postgresNote = "left out (--no-postgres)";
            }
            else if (PostgresInstance.TryGet(out var postgres, out var error))
            {
                postgresNote = postgres!.Description;
                runs.Add((typeof(PostgresSyncBenchmarks), 1, full ? 5 : 3));
            }
            else
            {
                postgresNote = $"not measured: {error}";
                Console.WriteLine($"// SQLite to PostgreSQL {postgresNote}");
            }
        }

        var summaries = new List<Summary>();
        foreach (var (type, warmups, iterations) in runs)
        {
            summaries.Add(BenchmarkRunner.Run(type, Config(kind, warmups, iterations)));
        }

        var report = FigureReport.FromSummaries(summaries, kind, options.Rows!.Value, postgresNote);
        Console.WriteLine();
        Console.WriteLine(report);
        var artifacts = summaries.FirstOrDefault()?.ResultsDirectoryPath ?? Directory.GetCurrentDirectory();
        var file = Path.Combine(artifacts, $"liblim-figures-{kind}.md");
        File.WriteAllText(file, report);
        Console.WriteLine($"// Figures written to {file}");
        return summaries.All(s => s.Reports.All(r => r.Success)) ? 0 : 1;
    }

    private static IConfig Config(string kind, int warmups, int iterations)
    {
        var job = Job.Default
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
            .WithLaunchCount(1)
            .WithWarmupCount(warmups)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId(kind);
        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOption(ConfigOptions.JoinSummary, false);
    }
}
