using System.Globalization;
using System.Text;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Reports;
using Liblim.EfCore.Benchmarks.Benchmarks;
using Liblim.EfCore.Benchmarks.Infrastructure;

namespace Liblim.EfCore.Benchmarks;

/// <summary>Figures 1, 2 and 4 from BenchmarkDotNet's summaries: ratios of the medians of one run.</summary>
internal static class FigureReport
{
    public static string FromSummaries(IReadOnlyList<Summary> summaries, string kind, int rows, string? postgresNote)
    {
        var stats = new Dictionary<string, Statistics>(StringComparer.Ordinal);
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.ResultStatistics is { } s)
            {
                stats[report.BenchmarkCase.Descriptor.WorkloadMethod.Name] = s;
            }
        }

        var table = new FigureTable();
        Ratio(table, stats, "1", "insert 1,000 rows, SaveChanges: replicated / plain EF Core", nameof(WriteBenchmarks.InsertReplicated), nameof(WriteBenchmarks.InsertPlain), 1.2);
        Ratio(table, stats, "1", "update 1 column of 1,000 rows: replicated / plain", nameof(WriteBenchmarks.UpdateReplicated), nameof(WriteBenchmarks.UpdatePlain), 1.2);
        Ratio(table, stats, "1", "delete 1,000 rows: replicated / plain", nameof(WriteBenchmarks.DeleteReplicated), nameof(WriteBenchmarks.DeletePlain), 1.2);
        Ratio(table, stats, "1", "floor: insert, plain + the metadata I/O replication needs (clocks in the row) / plain", nameof(WriteBenchmarks.InsertFloor), nameof(WriteBenchmarks.InsertPlain), 1.2);
        Ratio(table, stats, "1", "floor: update, plain + metadata I/O / plain", nameof(WriteBenchmarks.UpdateFloor), nameof(WriteBenchmarks.UpdatePlain), 1.2);
        Ratio(table, stats, "1", "floor: delete, plain + metadata I/O (the tombstone with the deleted values) / plain", nameof(WriteBenchmarks.DeleteFloor), nameof(WriteBenchmarks.DeletePlain), 1.2);
        var n = rows.ToString("N0", CultureInfo.InvariantCulture);
        Ratio(table, stats, "2", $"apply {n} remote row states to an empty table / raw insert", nameof(SyncBenchmarks.ApplyIntoEmpty), nameof(SyncBenchmarks.RawInsert), 3, rows);
        Ratio(table, stats, "2", $"apply {n} remote row states over older versions / raw insert", nameof(SyncBenchmarks.ApplyIntoOlder), nameof(SyncBenchmarks.RawInsert), 4, rows);
        Ratio(table, stats, "2", $"floor: raw insert of the {n} rows with their metadata / raw insert", nameof(SyncBenchmarks.RawInsertWithMetadata), nameof(SyncBenchmarks.RawInsert), 3, rows);
        Ratio(table, stats, "2", "floor: the same per batch (as a sync sends them) with the reads applying needs (the keys' data rows with their metadata, their rows of __liblim_rows), committed as applying commits / raw insert", nameof(SyncBenchmarks.ApplyFloor), nameof(SyncBenchmarks.RawInsert), 3, rows);
        Ratio(table, stats, "2", "floor over older versions: the same reads, then updates of the rows with their metadata, committed as applying commits / raw insert", nameof(SyncBenchmarks.ApplyOlderFloor), nameof(SyncBenchmarks.RawInsert), 4, rows);
        Ratio(table, stats, "2", $"the same as a whole in-process sync (reading the source's feed too), into an empty table / raw insert", nameof(SyncBenchmarks.MergeIntoEmpty), nameof(SyncBenchmarks.RawInsert), 3, rows);
        Ratio(table, stats, "2", $"the same as a whole in-process sync, over older versions / raw insert", nameof(SyncBenchmarks.MergeIntoOlder), nameof(SyncBenchmarks.RawInsert), 4, rows);
        Ratio(table, stats, "2", $"the same as a whole sync over loopback TCP, into an empty table / raw insert", nameof(SyncBenchmarks.TcpIntoEmpty), nameof(SyncBenchmarks.RawInsert), 3, rows);
        Ratio(table, stats, "4", $"initial sync of {n} rows over TCP, SQLite to SQLite / in-process merge", nameof(SyncBenchmarks.TcpIntoEmpty), nameof(SyncBenchmarks.MergeIntoEmpty), 1.5, rows);
        Ratio(table, stats, "4", $"initial sync of {n} rows over a WebSocket (ASP.NET Core hub), SQLite to SQLite / in-process merge", nameof(SyncBenchmarks.WebSocketIntoEmpty), nameof(SyncBenchmarks.MergeIntoEmpty), 1.5, rows);
        if (stats.ContainsKey(nameof(PostgresSyncBenchmarks.TcpIntoPostgres)))
        {
            Ratio(table, stats, "4", $"initial sync of {n} rows over TCP, SQLite to PostgreSQL / in-process merge into PostgreSQL",
                nameof(PostgresSyncBenchmarks.TcpIntoPostgres), nameof(PostgresSyncBenchmarks.MergeIntoPostgres), 1.5, rows);
        }
        else
        {
            table.AddMissing("4", $"initial sync of {n} rows over TCP, SQLite to PostgreSQL", "≤ 1.50x", postgresNote ?? "not run");
        }

        Ratio(table, stats, "4", "incremental sync of 1,000 changed rows over TCP / in-process merge", nameof(SyncBenchmarks.TcpIncremental), nameof(SyncBenchmarks.MergeIncremental), 1.5);
        Ratio(table, stats, "4", "incremental sync of 1,000 changed rows over a WebSocket / in-process merge", nameof(SyncBenchmarks.WebSocketIncremental), nameof(SyncBenchmarks.MergeIncremental), 1.5);

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## Figures 1, 2 and 4 ({kind} job, {BenchmarkSettings.GarbageCollector}; ratios of medians measured in this run)");
        sb.AppendLine();
        sb.Append(table.ToMarkdown());
        sb.AppendLine();
        sb.AppendLine("| benchmark | median | min | max | iterations |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            var s = report.ResultStatistics;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo} | {(s is null ? "failed" : FigureTable.Ms(s.Median))} | {(s is null ? "" : FigureTable.Ms(s.Min))} | {(s is null ? "" : FigureTable.Ms(s.Max))} | {s?.N} |");
        }

        if (postgresNote is not null)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"PostgreSQL: {postgresNote}.");
        }

        return sb.ToString();
    }

    private static void Ratio(FigureTable table, Dictionary<string, Statistics> stats, string figure, string what, string measured, string baseline, double target, int? rows = null)
    {
        var goal = $"≤ {target.ToString("0.0#", CultureInfo.InvariantCulture)}x";
        if (!stats.TryGetValue(measured, out var m) || !stats.TryGetValue(baseline, out var b))
        {
            table.AddMissing(figure, what, goal, "not run");
            return;
        }

        // A target is met when both the medians and the fastest iterations meet it: on a shared machine noise only adds
        // time, and a slow baseline run alone can make the medians' ratio look better than the code is.
        var ratio = m.Median / b.Median;
        var fastest = m.Min / b.Min;
        var result = $"{FigureTable.Ratio(ratio)} ({FigureTable.Ms(m.Median)} vs {FigureTable.Ms(b.Median)}; fastest: {FigureTable.Ratio(fastest)}";
        if (rows is { } r)
        {
            result += $"; {FigureTable.N(r / (m.Median / 1e9))} rows/s";
        }

        table.Add(figure, what, result + ")", goal, ratio <= target && fastest <= target);
    }
}
