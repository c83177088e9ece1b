using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Concurrency;

/// <summary>A PostgreSQL hub whose peers' batches are applied by groups the tests hold open, and what the tests wait for.</summary>
internal static class ConcurrentHub
{
    /// <summary>Far beyond any wait but for a lock.</summary>
    public static readonly TimeSpan Blocked = TimeSpan.FromSeconds(30);

    /// <summary>Makes a peer known to the hub by a first sync of one row of its own; returns the peer's head after it.</summary>
    public static async Task<long> KnownAsync(IReplica peer, IReplica hub)
    {
        await InsertAsync(peer, new TodoItem { Id = Guid.NewGuid(), Title = $"{peer.Name} before" });
        await SyncAsync(peer, hub);
        await using var db = peer.Open();
        return (await db.Liblim().GetStatusAsync()).Head;
    }

    /// <summary>A hub this process has caught up (its first write), so that its groups may apply concurrently.</summary>
    public static async Task<PostgresReplica> CaughtUpHubAsync()
    {
        var hub = new PostgresReplica("hub");
        await using var db = hub.Open();
        _ = await db.Liblim().GetNodeIdAsync();
        await db.Liblim().AdoptRowsAsync();
        return hub;
    }

    /// <summary>A group applying batches to <paramref name="replica"/> in contexts of its own, as a hub's session does.</summary>
    public static ApplyGroup Group(IReplica replica) => new(_ => Task.FromResult<DbContext>(replica.Open()), ownsContexts: true, committed: null);

    /// <summary>A peer's feed after <paramref name="since"/>, as a batch of it arrives.</summary>
    public static async Task<RemoteBatch> BatchOfAsync(IReplica peer, long since = 0)
    {
        await using var db = peer.Open();
        var node = await db.Liblim().GetNodeIdAsync();
        var page = await ChangeFeed.ReadAsync(db, since, null, 1_000, Guid.Empty, baseline: null, scope: null, async: true, default);
        return new RemoteBatch(peer.Name, node, page.States, page.Last);
    }

    /// <summary>The replica's item titles, sorted.</summary>
    public static List<string> Titles(IReplica replica) => [.. All(replica).Select(i => i.Title).Order()];

    /// <summary>
    /// Until a session of the database waits for a lock another holds (an advisory lock, or a row's, which is a wait for the
    /// transaction holding it): a condition, read from the server.
    /// </summary>
    public static async Task WaitUntilWaitingAsync(PostgresReplica replica)
    {
        await using var connection = new NpgsqlConnection(replica.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()", connection);
        var deadline = DateTime.UtcNow + Blocked;
        while ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no session came to wait for a lock");
            await Task.Delay(10);
        }
    }
}
