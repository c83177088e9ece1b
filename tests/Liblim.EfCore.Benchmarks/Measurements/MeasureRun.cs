using System.Diagnostics;
using System.Globalization;
using System.Text;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Infrastructure.Internal;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// The <c>measure</c> command: figures 3 and 5 to 11, which are bytes, latencies, memory, throughput and storage rather than
/// time ratios, measured directly and printed as one table (and written to BenchmarkDotNet.Artifacts/results).
/// </summary>
internal static class MeasureRun
{
    private const string HeapLimit = "0xC800000"; // 200 MiB

    public static async Task<int> RunAsync(Options options)
    {
        var started = Stopwatch.StartNew();
        var rows = options.Rows!.Value;
        var table = new FigureTable();
        var details = new StringBuilder();
        var sizes = new[] { 1_000, 10_000, rows }.Where(n => n <= rows).Distinct().ToArray();
        var sources = new Dictionary<int, string>();
        var needSources = options.Wants("delta") || options.Wants("metadata") || options.Wants("memory") || options.Wants("scope");
        foreach (var n in needSources ? sizes : [])
        {
            Log($"inserting {n:N0} rows through SaveChanges, 1,000 per call");
            var path = SqliteFiles.CreateReplicated($"measure-{n}");
            await TicketWrites.InsertAsync(() => new ReplicatedDb(SqliteFiles.ReplicatedOptions(path)), 0, n);
            sources[n] = path;
        }

        MetadataSize.Result? afterInserts = null;
        if (options.Wants("metadata"))
        {
            afterInserts = MetadataSize.Measure(sources[rows], rows);
        }

        if (options.Wants("delta"))
        {
            var results = new List<WireBytes.Result>();
            foreach (var n in sizes)
            {
                Log($"figure 3: syncing {n:N0} rows over TCP through a byte-counting relay");
                results.Add(await WireBytes.MeasureAsync(sources[n], n));
            }

            var largest = results[^1];
            var deltas = string.Join(", ", results.Select(r => $"{FigureTable.N(r.OneColumnDelta)} B at {FigureTable.N(r.Rows)} rows"));
            table.Add("3", $"bytes to sync one changed column of one row, first sync after a full sync (table of {FigureTable.N(rows)} rows)",
                $"{FigureTable.N(largest.OneColumnDelta)} B ({deltas})", "< 600 B, independent of table size",
                largest.OneColumnDelta < 600 && results.Max(r => r.OneColumnDelta) - results.Min(r => r.OneColumnDelta) < 64);
            var nexts = string.Join(", ", results.Select(r => $"{FigureTable.N(r.NextOneColumnDelta)} B at {FigureTable.N(r.Rows)} rows"));
            table.Add("3", "the same for the next one-column change (steady state), one-shot sync",
                $"{FigureTable.N(largest.NextOneColumnDelta)} B ({nexts})", "< 600 B, independent of table size",
                largest.NextOneColumnDelta < 600 && results.Max(r => r.NextOneColumnDelta) - results.Min(r => r.NextOneColumnDelta) < 64);
            var ratio = (double)largest.FullSync / largest.JsonOfRows;
            table.Add("3", $"bytes of the initial full sync of {FigureTable.N(rows)} rows / JSON of the rows",
                $"{FigureTable.Ratio(ratio)} ({FigureTable.Bytes(largest.FullSync)} vs {FigureTable.Bytes(largest.JsonOfRows)})", "≤ 2x", ratio <= 2);
            details.AppendLine("Figure 3, bytes on the wire (both directions, protocol bytes):");
            details.AppendLine();
            details.AppendLine("| rows | full sync | JSON of the rows | ratio | one changed column (first sync after the full one) | sync with nothing to send | next changed column |");
            details.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                details.AppendLine(CultureInfo.InvariantCulture,
                    $"| {FigureTable.N(r.Rows)} | {FigureTable.N(r.FullSync)} B | {FigureTable.N(r.JsonOfRows)} B | {FigureTable.Ratio((double)r.FullSync / r.JsonOfRows)} | {FigureTable.N(r.OneColumnDelta)} B | {FigureTable.N(r.NothingChanged)} B | {FigureTable.N(r.NextOneColumnDelta)} B |");
            }

            details.AppendLine();
        }

        if (options.Wants("scope"))
        {
            var results = new List<ScopedDelta.Result>();
            foreach (var n in sizes.Where(n => n >= 10_000))
            {
                Log($"figure 9: a hub serving each of its peers its scope, {n:N0} rows; one device's syncs after one change");
                results.Add(await ScopedDelta.MeasureAsync(sources[n], n));
            }

            var smallest = results[0];
            var largest = results[^1];
            var growth = largest.InScopeMs / smallest.InScopeMs;
            table.Add("9", $"scoped delta sync after one change to the device's rows, {FigureTable.N(largest.Rows)} rows / {FigureTable.N(smallest.Rows)} rows ({FigureTable.N(largest.Peers)} peers' rows recorded)",
                $"{FigureTable.Ratio(growth)} ({largest.InScopeMs:0.0} ms vs {smallest.InScopeMs:0.0} ms; {FigureTable.N(largest.InScopeBytes)} B vs {FigureTable.N(smallest.InScopeBytes)} B)",
                "flat in table size and peer count", growth < 1.5);
            details.AppendLine("Figure 9, a hub with one scope rule (tickets by assignee), every row recorded as held by its assignee's peer; one device syncs over loopback TCP, medians of 10 syncs each:");
            details.AppendLine();
            details.AppendLine("| rows | peers recorded | device's rows | its first sync | after a change to its rows | bytes | after a change to another's | bytes |");
            details.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                details.AppendLine(CultureInfo.InvariantCulture,
                    $"| {FigureTable.N(r.Rows)} | {FigureTable.N(r.Peers)} | {FigureTable.N(r.ScopeRows)} | {r.FirstSyncMs:N0} ms | {r.InScopeMs:0.0} ms | {FigureTable.N(r.InScopeBytes)} B | {r.OutOfScopeMs:0.0} ms | {FigureTable.N(r.OutOfScopeBytes)} B |");
            }

            details.AppendLine();
        }

        if (options.Wants("memory"))
        {
            var results = new List<MemoryChild.Result>();
            foreach (var (n, limit) in new[] { (sizes.Length > 1 ? sizes[^2] : rows, (string?)null), (rows, null), (rows, HeapLimit) })
            {
                Log($"figure 7: serving and receiving {n:N0} rows, each in a process of its own{(limit is null ? "" : ", GC heap hard limit 200 MiB")}");
                try
                {
                    results.Add(await MemoryChild.MeasureAsync(sources[n], n, limit));
                }
                catch (InvalidOperationException e) when (limit is not null)
                {
                    details.AppendLine(CultureInfo.InvariantCulture, $"With a 200 MiB GC heap hard limit the sync failed: {e.Message}");
                }
            }

            if (options.Postgres && PostgresInstance.TryGet(out var postgres, out _))
            {
                Log($"figure 7: serving {rows:N0} rows from SQLite, receiving them into PostgreSQL");
                var database = postgres!.CreateDatabase();
                await using (var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(database)))
                {
                    await db.Database.EnsureCreatedAsync();
                }

                results.Add(await MemoryChild.MeasureAsync(sources[rows], rows, null, database));
            }

            Log($"figure 7: writing {rows:N0} rows through plain EF Core in a process of its own, the baseline");
            var plain = await MemoryChild.MeasurePlainAsync(rows);
            var full = results.First(r => r.Rows == rows && r.HeapLimit is null);
            var ratio = (double)full.Receiving.ResidentBytes / plain.ResidentBytes;
            table.Add("7", $"peak RSS receiving a {FigureTable.N(rows)}-row sync / writing the rows through plain EF Core (each a process of its own)",
                $"{FigureTable.Ratio(ratio)} ({FigureTable.Bytes(full.Receiving.ResidentBytes)} vs {FigureTable.Bytes(plain.ResidentBytes)}; plain EF Core's peak managed {FigureTable.Bytes(plain.ManagedBytes)})",
                "< 100 MB", full.Receiving.ResidentBytes < 100L * 1024 * 1024);
            var limited = results.FirstOrDefault(r => r.HeapLimit is not null);
            var bounded = limited is not null ? "; completes under a 200 MiB GC heap hard limit" : "; FAILS under a 200 MiB GC heap hard limit";
            table.Add("7", $"peak managed memory while serving a {FigureTable.N(rows)}-row sync",
                $"{FigureTable.Bytes(full.Serving.ManagedBytes)} (peak RSS {FigureTable.Bytes(full.Serving.ResidentBytes)}{bounded})", "< 200 MB",
                full.Serving.ManagedBytes < 200_000_000 && limited is not null);
            table.Add("7", $"peak managed memory while receiving a {FigureTable.N(rows)}-row sync",
                $"{FigureTable.Bytes(full.Receiving.ManagedBytes)} (peak RSS {FigureTable.Bytes(full.Receiving.ResidentBytes)}{bounded})", "< 200 MB",
                full.Receiving.ManagedBytes < 200_000_000 && limited is not null);
            details.AppendLine("Figure 7, memory of each side of a sync over loopback TCP, each side in a process of its own:");
            details.AppendLine();
            details.AppendLine("| rows | into | GC heap limit | sync time | rows/s | serving: peak managed | peak RSS | allocated | receiving: peak managed | peak RSS | allocated |");
            details.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                details.AppendLine(CultureInfo.InvariantCulture,
                    $"| {FigureTable.N(r.Rows)} | {r.Target} | {(r.HeapLimit is null ? "none" : "200 MiB")} | {r.Elapsed.TotalSeconds:0.0} s | {FigureTable.N(r.Rows / r.Elapsed.TotalSeconds)} | {FigureTable.Bytes(r.Serving.ManagedBytes)} | {FigureTable.Bytes(r.Serving.ResidentBytes)} | {FigureTable.Bytes(r.Serving.AllocatedBytes)} | {FigureTable.Bytes(r.Receiving.ManagedBytes)} | {FigureTable.Bytes(r.Receiving.ResidentBytes)} | {FigureTable.Bytes(r.Receiving.AllocatedBytes)} |");
            }

            details.AppendLine();
        }

        if (options.Wants("metadata"))
        {
            Log($"figure 6: updating one column of each of the {rows:N0} rows through SaveChanges, 1,000 per call");
            await TicketWrites.UpdateAsync(() => new ReplicatedDb(SqliteFiles.ReplicatedOptions(sources[rows])), Enumerable.Range(0, rows), (i, t) => t.Title += " (edited)");
            var afterUpdates = MetadataSize.Measure(sources[rows], rows);
            details.AppendLine("Figure 6, SQLite storage per row (vacuumed copies of the file: without Liblim's tables, columns and index for the data; whole, less that, for the metadata; indexes included):");
            details.AppendLine();
            details.AppendLine("| after | data | metadata | ratio | average text length of each metadata column |");
            details.AppendLine("|---|---|---|---|---|");
            foreach (var (when, r) in new[] { ($"{FigureTable.N(rows)} inserts", afterInserts!), ($"{FigureTable.N(rows)} updates of one column", afterUpdates) })
            {
                table.Add("6", $"replication metadata per row after {when} (Liblim's tables, and its columns and index in the data table)",
                    $"{FigureTable.N(r.ShadowPerRow)} B/row ({FigureTable.Ratio(r.Ratio)} of the data's {FigureTable.N(r.DataPerRow)} B/row)", "≤ 64 B/row", r.ShadowPerRow <= 64);
                details.AppendLine(CultureInfo.InvariantCulture,
                    $"| {when} | {FigureTable.N(r.DataPerRow)} B/row | {FigureTable.N(r.ShadowPerRow)} B/row | {FigureTable.Ratio(r.Ratio)} | {r.ColumnLengths} |");
            }

            details.AppendLine();
        }

        foreach (var path in sources.Values)
        {
            SqliteFiles.Delete(path);
        }

        if (options.Wants("live"))
        {
            Log("figure 5: 1,000 changes each way between two AddLiblimSync apps on loopback, then between a device and an ASP.NET Core hub over a WebSocket, then on loopback with the rows from an earlier one-shot sync");
            var results = (await LiveLatency.MeasureAsync(1_000))
                .Concat(await LiveLatency.MeasureAsync(1_000, webSocket: true))
                .Concat(await LiveLatency.MeasureAsync(1_000, earlierSync: true))
                .ToList();
            foreach (var r in results)
            {
                table.Add("5", $"live propagation, {r.Direction}: SaveChanges until committed on the peer, {FigureTable.N(r.Changes)} changes",
                    $"median {r.MedianMs:0.0} ms, p99 {r.P99Ms:0.0} ms (max {r.MaxMs:0.0} ms; the SaveChanges itself: median {r.SaveMedianMs:0.0} ms)", "median < 20 ms", r.MedianMs < 20);
            }

            foreach (var r in results)
            {
                table.Add("3", $"bytes per one-column change on a live session, {r.Direction} (no greeting per change)",
                    $"{FigureTable.N(r.BytesPerChange)} B (both directions, including the peer's position update)", "< 300 B", r.BytesPerChange < 300);
            }
        }

        if (options.Wants("adopt"))
        {
            var n = Math.Min(rows, 100_000);
            Log($"figure 10: adopting {n:N0} rows a table held before it was replicated, SQLite");
            var results = new List<Adoption.Result> { await Adoption.MeasureSqliteAsync(n) };
            if (options.Postgres && PostgresInstance.TryGet(out var postgres, out _))
            {
                Log($"figure 10: adopting {n:N0} rows a table held before it was replicated, PostgreSQL");
                results.Add(await Adoption.MeasurePostgresAsync(postgres!, n));
            }

            foreach (var r in results)
            {
                var ratio = r.Adopt / r.Insert;
                table.Add("10", $"adopt {FigureTable.N(r.Rows)} rows stored before replication, {r.Database} / raw insert of the rows",
                    $"{FigureTable.Ratio(ratio)} ({r.Adopt.TotalMilliseconds:N0} ms vs {r.Insert.TotalMilliseconds:N0} ms; {FigureTable.N(r.Rows / r.Adopt.TotalSeconds)} rows/s)",
                    "≤ 2x", ratio <= 2);
            }
        }

        if (options.Wants("conflicts"))
        {
            var r = await ConflictJournalCost.MeasureAsync(Math.Min(rows, 20_000), runs: 3, Log);
            var every = r.ConflictsJournaled / r.ConflictsNotJournaled;
            var none = r.EditsJournaled / r.EditsNotJournaled;
            table.Add("12", $"one-shot sync of {FigureTable.N(r.Rows)} rows each rewritten on both replicas (every column a conflict: {FigureTable.N(r.Journaled)} journaled on the client), journal kept / not kept",
                $"{FigureTable.Ratio(every)} ({r.ConflictsJournaled.TotalMilliseconds:N0} ms vs {r.ConflictsNotJournaled.TotalMilliseconds:N0} ms); rewritten on one after the other (no conflict): " +
                $"{FigureTable.Ratio(none)} ({r.EditsJournaled.TotalMilliseconds:N0} ms vs {r.EditsNotJournaled.TotalMilliseconds:N0} ms)",
                "nothing without conflicts", none <= 1.1);
        }

        if (options.Wants("collect"))
        {
            var r = await Collection.MeasureAsync(rows, Log);
            table.Add("11", $"storage of {FigureTable.N(r.Rows)} deleted rows (inserted, then deleted, through SaveChanges; SQLite), before / after collection",
                $"{FigureTable.N(r.Before.ShadowBytes / 1024.0 / 1024.0)} MiB ({FigureTable.N(r.Before.ShadowPerRow)} B/row) / {FigureTable.N(r.After.ShadowBytes / 1024.0)} KiB " +
                $"({FigureTable.N(r.After.ShadowPerRow)} B/row); the sync that collects them on both sides: {r.CollectingSync.TotalSeconds:0.0} s (the one before, which sends them: {r.FirstSync.TotalSeconds:0.0} s)",
                "collected once every peer has them", r.After.ShadowPerRow < 1);
        }

        if (options.Wants("concurrency"))
        {
            if (!options.Postgres)
            {
                details.AppendLine("Figure 8 left out (--no-postgres).").AppendLine();
            }
            else if (!PostgresInstance.TryGet(out var postgres, out var error))
            {
                details.AppendLine(CultureInfo.InvariantCulture, $"Figure 8 not measured: {error}").AppendLine();
            }
            else
            {
                var n = Math.Min(rows, 100_000);
                Log($"figure 8: {n:N0} rows applied to one PostgreSQL database by 1, 2 and 4 appliers at once, in this process and each in a process of its own, and by 1, 2 and 4 users served by scope");
                var results = await HubConcurrency.MeasureAsync(postgres!, SyncTemplates.For(n).Source, [1, 2, 4], [LiblimOptionsExtension.DefaultSyncCommitInterval, TimeSpan.Zero], [1, 2, 4], [1, 2, 4]);
                foreach (var r in results.Where(r => r.Appliers > 1))
                {
                    var one = results.First(o => o.Appliers == 1 && o.CommitInterval == r.CommitInterval && o.InProcesses == r.InProcesses && o.Scoped == r.Scoped);
                    var ratio = r.RowsPerSecond / one.RowsPerSecond;
                    var (who, alone) = r.InProcesses ? ($"{r.Appliers} hub processes", "by one hub process")
                        : r.Scoped ? ($"{r.Appliers} users' devices served by scope in one process", "by one") : ($"{r.Appliers} appliers in one process", "by one");
                    table.Add("8", $"PostgreSQL hub: rows applied per second by {who} at once / {alone}, committing {Every(r.CommitInterval)}",
                        $"{FigureTable.Ratio(ratio)} ({FigureTable.N(r.RowsPerSecond)} vs {FigureTable.N(one.RowsPerSecond)} rows/s)", "more than 1x: not bound by one lock", ratio > 1.05);
                }

                details.AppendLine("Figure 8, one PostgreSQL database taking the same rows from several appliers at once, median of three runs (" + postgres!.Description + "):");
                details.AppendLine();
                details.AppendLine(CultureInfo.InvariantCulture, $"| appliers | where | commits | rows | elapsed | rows/s | machine CPU busy ({Environment.ProcessorCount} cores, PostgreSQL included) |");
                details.AppendLine("|---|---|---|---|---|---|---|");
                foreach (var r in results)
                {
                    details.AppendLine(CultureInfo.InvariantCulture,
                        $"| {r.Appliers} | {(r.InProcesses ? "a process each" : r.Scoped ? "this process, each a user served by scope" : "this process")} | {Every(r.CommitInterval)} | {FigureTable.N(r.Rows)} | {r.Elapsed.TotalMilliseconds:N0} ms | {FigureTable.N(r.RowsPerSecond)} | {(r.MachineBusy is { } busy ? $"{busy:P0}" : "not known")} |");
                }

                details.AppendLine();
            }
        }

        var report = new StringBuilder();
        report.AppendLine($"## Figures 3 and 5 to 11 (measure, {BenchmarkSettings.GarbageCollector})");
        report.AppendLine();
        report.Append(table.ToMarkdown());
        report.AppendLine();
        report.Append(details);
        report.AppendLine(CultureInfo.InvariantCulture, $"Measured in {started.Elapsed.TotalSeconds:0} s.");
        Console.WriteLine();
        Console.WriteLine(report);
        var folder = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "liblim-figures-measure.md");
        await File.WriteAllTextAsync(file, report.ToString());
        Console.WriteLine($"// Figures written to {file}");
        return 0;
    }

    private static string Every(TimeSpan interval) => interval == TimeSpan.Zero ? "every batch" : $"every {interval.TotalSeconds:0.#} s";

    private static void Log(string what) => Console.WriteLine($"// {DateTime.Now:HH:mm:ss} {what} ...");
}
