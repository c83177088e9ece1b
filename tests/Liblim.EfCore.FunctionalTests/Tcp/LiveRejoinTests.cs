using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A device forgotten while away that comes back over a live session (the sync service) rejoins there: the row the hub
/// deleted and collected meanwhile is deleted on the device, not brought back to the hub, and once the device has sent its
/// whole feed (its first keep-alive says so) the hub no longer treats it as rejoining (docs/protocol.md, section 5).
/// </summary>
public class LiveRejoinTests
{
    private static readonly LiblimProtocolLimits QuickKeepAlives = new() { IdleTimeout = TimeSpan.FromMilliseconds(1500) };

    [Fact]
    public async Task A_forgotten_device_that_comes_back_live_loses_the_collected_row_and_ends_its_rejoin()
    {
        var time = new TickingTime();
        await using var hub = await TcpPeer.StartAsync("live-hub", o => o with { Limits = QuickKeepAlives }, o => o.TimeProvider(time));
        using var device = new SqliteReplica("live-device", o => o.TimeProvider(time));
        var (x, kept) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(hub.Replica, new TodoItem { Id = x, Title = "deleted while the device was away" });
        await Replicas.InsertAsync(hub.Replica, new TodoItem { Id = kept, Title = "kept" });
        await SyncOnceAsync(device, hub);

        time.Advance(TimeSpan.FromDays(31));
        await Replicas.DeleteAsync(hub.Replica, x);
        using (var other = new SqliteReplica("live-other", o => o.TimeProvider(time)))
        {
            await SyncOnceAsync(other, hub);
            await SyncOnceAsync(other, hub);
        }

        await Collected.WaitUntilAsync(hub.Replica, x);
        Assert.NotNull(Replicas.Find(device, x));

        var deviceNode = await NodeIdAsync(device);
        await using (var host = await SyncHost.StartOnAsync(device, o => o.Limits = QuickKeepAlives, hub.Address))
        {
            await SyncHost.EventuallyAsync(() => Replicas.Find(device, x) is null, "the device deletes the row the hub collected");
            await SyncHost.EventuallyAsync(() => !Rejoining(hub.Replica, deviceNode), "the hub ends the device's rejoin at its first keep-alive");
        }

        Assert.Null(Replicas.Find(hub.Replica, x));
        Assert.Equal(["kept"], Replicas.All(device).Select(i => i.Title));
        Assert.Equal(["kept"], Replicas.All(hub.Replica).Select(i => i.Title));
    }

    private static async Task SyncOnceAsync(SqliteReplica replica, TcpPeer hub)
    {
        await using var db = replica.Open();
        await db.Liblim().SyncWithAsync(hub.Address, TcpPeer.Secret);
    }

    private static async Task<Guid> NodeIdAsync(SqliteReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }

    /// <summary>Whether the hub's record of the peer says it is rejoining, read as an operator would.</summary>
    private static bool Rejoining(SqliteReplica hub, Guid peer)
    {
        using var connection = new SqliteConnection($"Data Source={hub.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rejoining FROM __liblim_peers WHERE peer_id = @p";
        command.Parameters.AddWithValue("@p", peer.ToString("N"));
        return command.ExecuteScalar() is long flag && flag != 0;
    }
}
