using System.Diagnostics;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 12: what the conflict journal costs a sync. Two SQLite replicas hold the same rows; then every data column of
/// every row is written anew on both, offline (every column of every row a conflict, which both sides journal), or on one
/// side after the other synced (later edits: no conflict). The one-shot sync that follows is timed with the journal kept
/// (the default) and with <c>KeepConflicts(0)</c>, which neither compares nor records, alternating, from copies of the
/// same files; medians of the runs.
/// </summary>
internal static class ConflictJournalCost
{
    public sealed record Result(int Rows, TimeSpan ConflictsJournaled, TimeSpan ConflictsNotJournaled, TimeSpan EditsJournaled, TimeSpan EditsNotJournaled, int Journaled);

    public static async Task<Result> MeasureAsync(int rows, int runs, Action<string> log)
    {
        log($"figure 12: {rows:N0} rows on two replicas, rewritten on both offline, and on one after the other");
        var (conflicting, edited) = await TemplatesAsync(rows);
        try
        {
            var times = new Dictionary<(bool Conflicts, bool Journal), List<TimeSpan>>();
            var journaled = 0;
            for (var run = 0; run < runs; run++)
            {
                foreach (var (conflicts, journal) in new[] { (true, true), (true, false), (false, true), (false, false) })
                {
                    var (source, target) = conflicts ? conflicting : edited;
                    var (elapsed, entries) = await SyncAsync(source, target, journal);
                    (times.TryGetValue((conflicts, journal), out var list) ? list : times[(conflicts, journal)] = []).Add(elapsed);
                    journaled = conflicts && journal ? entries : journaled;
                }
            }

            TimeSpan Median((bool, bool) key) => times[key].Order().ElementAt(times[key].Count / 2);
            return new Result(rows, Median((true, true)), Median((true, false)), Median((false, true)), Median((false, false)), journaled);
        }
        finally
        {
            foreach (var path in new[] { conflicting.Source, conflicting.Target, edited.Source, edited.Target })
            {
                SqliteFiles.Delete(path);
            }
        }
    }

    private static async Task<((string Source, string Target) Conflicting, (string Source, string Target) Edited)> TemplatesAsync(int rows)
    {
        var source = SqliteFiles.CreateReplicated($"journal-source-{rows}");
        var target = SqliteFiles.CreateReplicated($"journal-target-{rows}");
        await TicketWrites.InsertAsync(Open(source), 0, rows);
        await SyncAsync(source, target, journal: true, copy: false);
        SqliteFiles.Checkpoint(source);
        SqliteFiles.Checkpoint(target);

        // Rewritten on one side, synced, then on the other: later edits of what each held.
        var editedSource = SqliteFiles.Copy(source, "journal-edited-source");
        var editedTarget = SqliteFiles.Copy(target, "journal-edited-target");
        await TicketWrites.RewriteAsync(Open(editedTarget), Enumerable.Range(0, rows), version: 2);
        await SyncAsync(editedSource, editedTarget, journal: true, copy: false);
        await TicketWrites.RewriteAsync(Open(editedSource), Enumerable.Range(0, rows), version: 3);

        // Rewritten on both without a sync between: every column of every row written concurrently.
        await TicketWrites.RewriteAsync(Open(target), Enumerable.Range(0, rows), version: 2);
        await TicketWrites.RewriteAsync(Open(source), Enumerable.Range(0, rows), version: 3);
        foreach (var path in new[] { source, target, editedSource, editedTarget })
        {
            SqliteFiles.Checkpoint(path);
        }

        return ((source, target), (editedSource, editedTarget));
    }

    private static Func<BenchDb> Open(string path) => () => new ReplicatedDb(SqliteFiles.ReplicatedOptions(path));

    /// <summary>A one-shot sync of copies of the two files (the target the client), timed; with the number of conflicts the target journaled.</summary>
    private static async Task<(TimeSpan Elapsed, int Journaled)> SyncAsync(string source, string target, bool journal, bool copy = true)
    {
        var s = copy ? SqliteFiles.Copy(source, "journal-run-source") : source;
        var t = copy ? SqliteFiles.Copy(target, "journal-run-target") : target;
        try
        {
            void Configure(LiblimOptionsBuilder o) => o.KeepConflicts(journal ? 1_000_000 : 0);
            await using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(t, Configure));
            await using var other = new ReplicatedDb(SqliteFiles.ReplicatedOptions(s, Configure));
            var started = Stopwatch.StartNew();
            await db.Liblim().SyncWithAsync(other);
            var elapsed = started.Elapsed;
            return (elapsed, (await db.Liblim().GetStatusAsync()).Conflicts);
        }
        finally
        {
            if (copy)
            {
                SqliteFiles.Delete(s);
                SqliteFiles.Delete(t);
            }
        }
    }
}
