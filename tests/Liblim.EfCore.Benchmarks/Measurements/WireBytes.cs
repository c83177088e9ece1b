using System.Net;
using System.Text.Json;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 3: the bytes a sync puts on the wire (both directions, counted by a relay between client and server),
/// for a full sync of a table into an empty replica, then for a sync after one column of one row changed, then
/// for a sync with nothing to send (the fixed cost of a session: greeting, positions, goodbye), and for one more
/// changed column (the steady state: the first sync after the full one also tells the server that the client's own
/// feed, which the full sync filled with rows taken whole from the server, holds nothing for it).
/// </summary>
internal static class WireBytes
{
    public sealed record Result(int Rows, long FullSync, long JsonOfRows, long OneColumnDelta, long NothingChanged, long NextOneColumnDelta);

    /// <summary>Measures a replica with <paramref name="rows"/> rows at <paramref name="sourcePath"/> (left unchanged but for one column of one row).</summary>
    public static async Task<Result> MeasureAsync(string sourcePath, int rows)
    {
        var target = SqliteFiles.CreateReplicated($"wire-target-{rows}");
        try
        {
            await using var server = await LiblimServer.StartAsync(ReplicaFactory.ForSqlite(sourcePath),
                new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = BenchmarkSettings.Secret });
            await using var proxy = CountingProxy.Start(server.Endpoint);

            var full = await SyncAsync(target, proxy, expectApplied: rows);
            long json;
            await using (var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(sourcePath)))
            {
                json = JsonSerializer.SerializeToUtf8Bytes(await db.Tickets.AsNoTracking().ToListAsync()).LongLength;
            }

            await ChangeOneColumnAsync(sourcePath, rows / 2);
            var delta = await SyncAsync(target, proxy, expectApplied: 1);
            var nothing = await SyncAsync(target, proxy, expectApplied: 0);
            await ChangeOneColumnAsync(sourcePath, rows / 3);
            var next = await SyncAsync(target, proxy, expectApplied: 1);
            return new Result(rows, full, json, delta, nothing, next);
        }
        finally
        {
            SqliteFiles.Delete(target);
        }
    }

    private static async Task ChangeOneColumnAsync(string path, int row)
    {
        await using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(path));
        var one = await db.Tickets.SingleAsync(t => t.Id == TicketGenerator.Key(row));
        one.Title = "one changed column";
        await db.SaveChangesAsync();
    }

    private static async Task<long> SyncAsync(string target, CountingProxy proxy, int expectApplied)
    {
        proxy.Reset();
        await using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(target));
        var result = await db.Liblim().SyncWithAsync(proxy.Address, BenchmarkSettings.Secret);
        if (result.RowsApplied != expectApplied)
        {
            throw new InvalidOperationException($"The sync applied {result.RowsApplied} rows, not {expectApplied}.");
        }

        return proxy.ToServer + proxy.ToClient;
    }
}
