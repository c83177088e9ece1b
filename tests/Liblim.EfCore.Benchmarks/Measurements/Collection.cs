using System.Diagnostics;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 11: the storage a SQLite replica keeps for deleted rows, after inserting and then deleting every row through
/// SaveChanges, before and after they are collected. Collection needs a peer that has applied the deletes: a second
/// replica syncs twice (the first sync sends it the tombstones; at the second its IHAZ says it has them, and each side
/// collects when the session ends). The second sync's time is almost all collection: it has nothing to send.
/// </summary>
internal static class Collection
{
    public sealed record Result(int Rows, MetadataSize.Result Before, MetadataSize.Result After, TimeSpan FirstSync, TimeSpan CollectingSync);

    public static async Task<Result> MeasureAsync(int rows, Action<string> log)
    {
        var path = SqliteFiles.CreateReplicated($"collect-{rows}");
        var peer = SqliteFiles.CreateReplicated($"collect-peer-{rows}");
        try
        {
            BenchDb Open() => new ReplicatedDb(SqliteFiles.ReplicatedOptions(path));
            log($"figure 11: inserting and deleting {rows:N0} rows through SaveChanges, 1,000 per call");
            await TicketWrites.InsertAsync(Open, 0, rows);
            await TicketWrites.DeleteAsync(Open, Enumerable.Range(0, rows));

            var first = await SyncAsync(path, peer);
            var before = MetadataSize.Measure(path, rows);
            log("figure 11: the second sync, after which both sides collect");
            var collecting = await SyncAsync(path, peer);
            var after = MetadataSize.Measure(path, rows);
            return new Result(rows, before, after, first, collecting);
        }
        finally
        {
            SqliteFiles.Delete(path);
            SqliteFiles.Delete(peer);
        }
    }

    private static async Task<TimeSpan> SyncAsync(string path, string peer)
    {
        await using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(path));
        await using var other = new ReplicatedDb(SqliteFiles.ReplicatedOptions(peer));
        var started = Stopwatch.StartNew();
        await other.Liblim().SyncWithAsync(db);
        return started.Elapsed;
    }
}
