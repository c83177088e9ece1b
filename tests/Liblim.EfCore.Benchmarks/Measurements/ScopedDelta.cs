using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 9: a hub that serves each peer its scope (the open, or the closed, tickets of one assignee: one rule, 499
/// assignees, 998 peers), with every row of the table recorded as held by its peer, as if all the others had synced. One
/// device (user1's open tickets) syncs its scope, then syncs after each of a series of one-column changes at the hub, half
/// of them to its own tickets and half to others': the time and bytes of such a sync should not grow with the table, nor
/// with the peers the hub serves.
/// </summary>
internal static class ScopedDelta
{
    private const string Table = "Tickets";
    private const string Device = "user1@example.org";
    private const string DeviceState = "open";
    private const int Changes = 20;

    public sealed record Result(int Rows, int Peers, int ScopeRows, double FirstSyncMs, double InScopeMs, double InScopeBytes, double OutOfScopeMs, double OutOfScopeBytes);

    /// <summary>Measures on a copy of <paramref name="sourcePath"/>, a replica with <paramref name="rows"/> tickets.</summary>
    public static async Task<Result> MeasureAsync(string sourcePath, int rows)
    {
        var hubPath = SqliteFiles.Copy(sourcePath, $"scope-hub-{rows}");
        var devicePath = SqliteFiles.CreateReplicated($"scope-device-{rows}");
        try
        {
            var peers = HoldEveryRowByItsAssignee(hubPath);
            await using var server = await LiblimServer.StartAsync(ReplicaFactory.ForSqlite(hubPath), new LiblimServerOptions
            {
                Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
                SecretForPeer = _ => BenchmarkSettings.Secret,
                ClaimsForPeer = node => node == NodeOf(Device, DeviceState) ? [new Claim("assignee", Device), new Claim("state", DeviceState)] : [],
                Scopes = new LiblimScopes().Scope<Ticket>((ticket, peer) => ticket.Assignee == peer.Claim("assignee") && (ticket.IsOpen ? "open" : "closed") == peer.Claim("state")),
            });
            await using var proxy = CountingProxy.Start(server.Endpoint);
            var deviceOptions = SqliteFiles.ReplicatedOptions(devicePath, o => o.NodeId(NodeOf(Device, DeviceState)));
            var first = Stopwatch.StartNew();
            var firstSync = await SyncAsync(deviceOptions, proxy);
            var firstMs = first.Elapsed.TotalMilliseconds;

            var (mine, others) = await TicketsAsync(hubPath);
            var inScope = new List<(double Ms, long Bytes)>();
            var outOfScope = new List<(double Ms, long Bytes)>();
            for (var i = 0; i < Changes; i++)
            {
                var own = i % 2 == 0;
                var id = own ? mine[i % mine.Count] : others[i % others.Count];
                await using (var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(hubPath)))
                {
                    (await db.Tickets.SingleAsync(t => t.Id == id)).Title = $"changed at the hub #{i}";
                    await db.SaveChangesAsync();
                }

                proxy.Reset();
                var watch = Stopwatch.StartNew();
                var result = await SyncAsync(deviceOptions, proxy);
                (own ? inScope : outOfScope).Add((watch.Elapsed.TotalMilliseconds, proxy.ToServer + proxy.ToClient));
                if (result.RowsApplied != (own ? 1 : 0))
                {
                    throw new InvalidOperationException($"A sync after a change {(own ? "in" : "outside")} the device's scope applied {result.RowsApplied} rows.");
                }
            }

            return new Result(rows, peers, firstSync.RowsApplied, firstMs,
                Median(inScope.Select(c => c.Ms)), Median(inScope.Select(c => (double)c.Bytes)),
                Median(outOfScope.Select(c => c.Ms)), Median(outOfScope.Select(c => (double)c.Bytes)));
        }
        finally
        {
            SqliteFiles.Delete(hubPath);
            SqliteFiles.Delete(devicePath);
        }
    }

    /// <summary>A node id per peer (an assignee's open or closed tickets), the same in every run.</summary>
    private static Guid NodeOf(string assignee, string state) => new(MD5.HashData(Encoding.UTF8.GetBytes($"{assignee} {state}")));

    private static string StateOf(bool isOpen) => isOpen ? "open" : "closed";

    /// <summary>
    /// Records every row as held by its assignee's peer, as the hub would after each of them synced, but the measured device's
    /// (it has not synced yet); returns how many peers that is.
    /// </summary>
    private static int HoldEveryRowByItsAssignee(string hubPath)
    {
        using var connection = SqliteFiles.OpenRaw(hubPath);
        using var transaction = connection.BeginTransaction();
        var rows = new List<(string Peer, string Key)>();
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT Id, Assignee, IsOpen FROM Tickets";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                var holder = NodeOf(reader.GetString(1), StateOf(reader.GetBoolean(2)));
                if (holder != NodeOf(Device, DeviceState))
                {
                    rows.Add((holder.ToString("N"), $"[\"{reader.GetGuid(0):D}\"]"));
                }
            }
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO __liblim_peer_rows (peer_id, table_name, row_key) VALUES ($p, $t, $k)";
        var peer = insert.Parameters.Add("$p", Microsoft.Data.Sqlite.SqliteType.Text);
        insert.Parameters.AddWithValue("$t", Table);
        var key = insert.Parameters.Add("$k", Microsoft.Data.Sqlite.SqliteType.Text);
        foreach (var row in rows)
        {
            peer.Value = row.Peer;
            key.Value = row.Key;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return rows.Select(r => r.Peer).Distinct().Count();
    }

    private static async Task<(List<Guid> Mine, List<Guid> Others)> TicketsAsync(string hubPath)
    {
        await using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(hubPath));
        var all = await db.Tickets.AsNoTracking().Select(t => new { t.Id, t.Assignee, t.IsOpen }).ToListAsync();
        var mine = all.Where(t => t.Assignee == Device && StateOf(t.IsOpen) == DeviceState).Select(t => t.Id).ToHashSet();
        return ([.. mine], [.. all.Where(t => !mine.Contains(t.Id)).Take(Changes).Select(t => t.Id)]);
    }

    private static async Task<SyncResult> SyncAsync(DbContextOptions<ReplicatedDb> options, CountingProxy proxy)
    {
        await using var db = new ReplicatedDb(options);
        return await db.Liblim().SyncWithAsync(proxy.Address, BenchmarkSettings.Secret);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
