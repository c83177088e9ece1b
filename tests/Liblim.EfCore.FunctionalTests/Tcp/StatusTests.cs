using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// <c>db.Liblim().GetStatusAsync()</c> over real TCP sessions: each peer with how its last session went and what waits for
/// it (the held-back count: <c>UniqueConflictTests.A_held_row_given_a_new_value_is_shown_and_syncs</c>).
/// </summary>
public class StatusTests
{
    [Fact]
    public async Task A_status_names_each_peer_with_its_last_sync_its_address_and_the_rows_waiting_for_it()
    {
        await using var a = await TcpPeer.StartAsync("status-a");
        await using var b = await TcpPeer.StartAsync("status-b");
        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "from a" });
        await Replicas.InsertAsync(b.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "from b" });

        await a.SyncWithAsync(b);
        var client = Assert.Single((await StatusAsync(a)).Peers);
        var server = Assert.Single((await StatusAsync(b)).Peers);

        Assert.Equal((b.Server.NodeId, 0L, (string?)null), (client.NodeId, client.Pending, client.LastError)); // the row from b is not owed back to it
        Assert.Contains($"127.0.0.1:{b.Server.Endpoint.Port}", client.Address);
        Assert.NotNull(client.LastSync);
        Assert.Equal((await GetNodeIdAsync(a), 0L, (string?)null), (server.NodeId, server.Pending, server.LastError));
        Assert.StartsWith("127.0.0.1:", server.Address);

        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "not sent yet" });
        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "nor this" });
        Assert.Equal(2, Assert.Single((await StatusAsync(a)).Peers).Pending);
    }

    [Fact]
    public async Task A_failed_session_is_the_clients_last_error_and_leaves_the_server_without_a_record()
    {
        await using var a = await TcpPeer.StartAsync("status-a");
        await using var b = await TcpPeer.StartAsync("status-b");
        await a.SyncWithAsync(b);
        var synced = Assert.Single((await StatusAsync(a)).Peers).LastSync;

        await using (var db = a.Replica.Open())
        {
            await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(b.Address, "not the secret"));
        }

        var failed = Assert.Single((await StatusAsync(a)).Peers);
        Assert.Contains("shared secret", failed.LastError);
        Assert.Equal(synced, failed.LastSync); // the last sync without an error stays
        Assert.Null(Assert.Single((await StatusAsync(b)).Peers).LastError); // nothing recorded for a peer that did not authenticate

        await a.SyncWithAsync(b);
        Assert.Null(Assert.Single((await StatusAsync(a)).Peers).LastError);
    }

    [Fact]
    public async Task A_status_gives_the_feeds_head_and_no_peers_before_any_session()
    {
        await using var a = await TcpPeer.StartAsync("status-a");
        var status = await StatusAsync(a);
        Assert.Equal((0, 0L), (status.HeldBack, status.Head));

        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "one" });

        Assert.Equal(ShadowRows.StateSeq(a.Replica), (await StatusAsync(a)).Head);
        Assert.Empty((await StatusAsync(a)).Peers);
    }

    private static async Task<LiblimStatus> StatusAsync(TcpPeer peer)
    {
        await using var db = peer.Replica.Open();
        return await db.Liblim().GetStatusAsync();
    }

    private static async Task<Guid> GetNodeIdAsync(TcpPeer peer)
    {
        await using var db = peer.Replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }
}
