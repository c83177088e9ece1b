using System.Collections.Concurrent;
using System.Diagnostics;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// Checkpointed database files that the sync benchmarks copy before every iteration, so that every iteration
/// starts from the same state. Built once per row count and process (building 100,000 rows takes a minute).
/// </summary>
public sealed class SyncTemplates
{
    /// <summary>Rows changed for the incremental sync: every hundredth row up to 1,000 rows.</summary>
    public const int IncrementalRows = 1_000;

    private static readonly ConcurrentDictionary<int, Lazy<SyncTemplates>> ByRows = new();

    private SyncTemplates(int rows) => Rows = rows;

    public int Rows { get; }

    /// <summary>
    /// The source: every row inserted (version 1), synced once with <see cref="TargetOld"/>, then every data column
    /// of every row written again (version 2). Its change feed holds each row once, at version 2.
    /// </summary>
    public string Source { get; private set; } = "";

    /// <summary>An empty replicated database.</summary>
    public string TargetEmpty { get; private set; } = "";

    /// <summary>A replica holding version 1 of every row (synced with the source before its rewrite).</summary>
    public string TargetOld { get; private set; } = "";

    /// <summary>An empty database with the plain model, for the raw-insert baseline.</summary>
    public string PlainEmpty { get; private set; } = "";

    /// <summary>A replica in sync with <see cref="SourceChanged"/> except for the last <see cref="IncrementalRows"/> changed rows.</summary>
    public string TargetSynced { get; private set; } = "";

    /// <summary>The source after a full sync with <see cref="TargetSynced"/> and then <see cref="IncrementalRows"/> changed rows (version 3).</summary>
    public string SourceChanged { get; private set; } = "";

    /// <summary>How long building took.</summary>
    public TimeSpan BuildTime { get; private set; }

    public static SyncTemplates For(int rows) => ByRows.GetOrAdd(rows, r => new Lazy<SyncTemplates>(() => Build(r))).Value;

    /// <summary>The rows the source's feed holds (version 2), in memory, for the raw-insert baseline.</summary>
    public static Ticket[] SourceRows(int rows) => [.. TicketGenerator.Range(0, rows, version: 2)];

    /// <summary>The keys changed in <see cref="SourceChanged"/>.</summary>
    public static IEnumerable<int> ChangedRows(int rows) => Enumerable.Range(0, rows).Where(i => i % Math.Max(1, rows / IncrementalRows) == 0).Take(IncrementalRows);

    private static SyncTemplates Build(int rows)
    {
        var started = Stopwatch.StartNew();
        Console.WriteLine($"// Building sync templates of {rows:N0} rows in {SqliteFiles.Folder} ...");
        var t = new SyncTemplates(rows);
        t.BuildAsync().GetAwaiter().GetResult();
        t.BuildTime = started.Elapsed;
        Console.WriteLine($"// Sync templates built in {t.BuildTime.TotalSeconds:0.0} s.");
        return t;
    }

    private async Task BuildAsync()
    {
        PlainEmpty = SqliteFiles.CreatePlain("tpl-plain-empty");
        TargetEmpty = SqliteFiles.CreateReplicated("tpl-target-empty");
        SqliteFiles.Checkpoint(PlainEmpty);
        SqliteFiles.Checkpoint(TargetEmpty);

        // Version 1 everywhere: the source inserts, the old target syncs with it.
        var source = SqliteFiles.CreateReplicated("tpl-source");
        var sourceOptions = SqliteFiles.ReplicatedOptions(source);
        await TicketWrites.InsertAsync(() => new ReplicatedDb(sourceOptions), 0, Rows);
        var old = SqliteFiles.Copy(TargetEmpty, "tpl-target-old");
        await SyncInProcessAsync(old, source);
        SqliteFiles.Checkpoint(old);
        TargetOld = old;

        // Version 2 at the source: every column of every row written again.
        await TicketWrites.RewriteAsync(() => new ReplicatedDb(sourceOptions), Enumerable.Range(0, Rows), version: 2);
        SqliteFiles.Checkpoint(source);
        Source = SqliteFiles.Copy(source, "tpl-source-v2");

        // A target fully in sync with the source, then 1,000 rows changed at the source.
        var synced = SqliteFiles.Copy(TargetOld, "tpl-target-synced");
        await SyncInProcessAsync(synced, source);
        await TicketWrites.RewriteAsync(() => new ReplicatedDb(sourceOptions), ChangedRows(Rows), version: 3);
        SqliteFiles.Checkpoint(synced);
        SqliteFiles.Checkpoint(source);
        TargetSynced = synced;
        SourceChanged = source;
    }

    private static async Task SyncInProcessAsync(string target, string source)
    {
        await using var t = new ReplicatedDb(SqliteFiles.ReplicatedOptions(target));
        await using var s = new ReplicatedDb(SqliteFiles.ReplicatedOptions(source));
        await t.Liblim().SyncWithAsync(s);
    }
}
