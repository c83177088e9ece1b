using System.Text.Json;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// On the wire: a server that a client knows more of than it handed out (its database was restored, or is a copy) says
/// <c>OHNOES restarted</c> right after the client's IHAZ, changes nothing but its node id, and greets the next
/// connection under the new one (docs/protocol.md, section 4).
/// </summary>
public class RestartTests
{
    [Fact]
    public async Task A_client_that_has_more_of_the_servers_feed_than_it_handed_out_is_answered_restarted_and_the_next_greeting_names_a_new_node()
    {
        await using var server = await TcpPeer.StartAsync("restarting-server");
        for (var i = 0; i < 3; i++)
        {
            await Replicas.InsertAsync(server.Replica, new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}" });
        }

        var before = Snapshot.Of(server.Replica);
        var oldNode = server.Server.NodeId;
        await using (var raw = await RawPeer.ConnectAsync(server))
        {
            await raw.GreetAsync();
            Assert.Equal(oldNode, raw.ServerNode);
            await raw.SendAsync($"IHAZ {{\"{raw.Node:D}\":0,\"{raw.ServerNode:D}\":5}}\n");
            var answer = await raw.ReadErrorAndCloseAsync();
            Assert.NotNull(answer);
            Assert.StartsWith($"OHNOES restarted Node {oldNode} was restored from an older copy", answer);
        }

        await using (var db = server.Replica.Open())
        {
            Assert.NotEqual(oldNode, await db.Liblim().GetNodeIdAsync());
            Assert.Equal(await db.Liblim().GetNodeIdAsync(), server.Server.NodeId);
        }

        Assert.Equal(before, Snapshot.Of(server.Replica));
        await using (var raw = await RawPeer.ConnectAsync(server))
        {
            await raw.GreetAsync();
            Assert.Equal(server.Server.NodeId, raw.ServerNode);
            await raw.SendAsync($"IHAZ {{\"{raw.Node:D}\":0,\"{raw.ServerNode:D}\":0}}\n");
            var have = await raw.ReadLineAsync();
            Assert.StartsWith("IHAZ ", have);
            var positions = JsonSerializer.Deserialize<Dictionary<Guid, long>>(have![5..])!;
            Assert.Equal(new Dictionary<Guid, long> { [raw.Node] = 0 }, positions); // nothing of the client's applied under any id
        }
    }

    [Fact]
    public async Task A_session_whose_fence_another_session_moved_and_delivered_meanwhile_keeps_its_node_id()
    {
        await using var server = await TcpPeer.StartAsync("fence-server");
        await using var client = await TcpPeer.StartAsync("fence-client");
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(client.Replica, new TodoItem { Id = id, Title = "handed out by the other session" });
        var node = client.Server.NodeId;

        // The first session reads its fence for the server (nothing handed out yet) and says IHAZ; the proxy holds it while
        // a second session hands the server the row. Then the server reads the first session's IHAZ and answers that it has
        // the client's feed up to the row: more than the fence the first session read, but not more than the fence.
        await using var proxy = new HoldingProxy(server.Server.Endpoint);
        Task<SyncResult> first;
        await using (var db = client.Replica.Open())
        {
            first = db.Liblim().SyncWithAsync(proxy.Address, TcpPeer.Secret);
            await proxy.Holding;
            await client.SyncWithAsync(server);
            proxy.Release();
            await first;
        }

        Assert.Equal(node, client.Server.NodeId);
        await using (var db = client.Replica.Open())
        {
            Assert.Equal(node, await db.Liblim().GetNodeIdAsync());
        }

        Assert.NotNull(Replicas.Find(server.Replica, id));
    }

    [Fact]
    public async Task A_client_that_knows_no_more_than_the_server_handed_out_syncs_under_the_same_node()
    {
        await using var server = await TcpPeer.StartAsync("steady-server");
        await using var client = await TcpPeer.StartAsync("steady-client");
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "on the server" });
        var node = server.Server.NodeId;

        await client.SyncWithAsync(server);
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "again on the server" });
        var result = await client.SyncWithAsync(server);

        Assert.Equal(1, result.RowsReceived);
        Assert.Equal(node, server.Server.NodeId);
        Assert.Equal(Snapshot.Of(server.Replica), Snapshot.Of(client.Replica));
    }
}
