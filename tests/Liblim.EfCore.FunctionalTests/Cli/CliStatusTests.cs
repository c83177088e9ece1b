using System.Text.Json;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary><c>liblim status</c> and <c>liblim peers</c> on a replica after a real sync: what the library's status says, from outside the app.</summary>
public abstract class CliStatusTests : ReplicaSuite
{
    public sealed class OnSqlite : CliStatusTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : CliStatusTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Status_and_peers_after_a_sync_give_the_node_ids_the_last_sync_and_the_rows_changed_since_for_the_peer()
    {
        using var a = NewReplica("status-a");
        using var b = NewReplica("status-b");
        var (x, y, z, w) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using (var db = a.Open())
        {
            db.Items.AddRange(new TodoItem { Id = x, Title = "x" }, new TodoItem { Id = y, Title = "y" }, new TodoItem { Id = z, Title = "z" });
            await db.SaveChangesAsync();
        }

        // The replicas' clock (SharedClock), which the time of a sync is read from: each reading is a millisecond on.
        var before = SharedClock.GetUtcNow();
        await Replicas.SyncAsync(a, b);
        var after = SharedClock.GetUtcNow();

        // Three changes here since: an edit, an insert and a delete, which b has not been sent.
        await Replicas.EditAsync(a, x, i => i.Title = "x edited");
        await Replicas.InsertAsync(a, new TodoItem { Id = w, Title = "w" });
        await Replicas.DeleteAsync(a, y);

        LiblimStatus expected;
        Guid bNode;
        await using (var db = a.Open())
        {
            expected = await db.Liblim().GetStatusAsync();
        }

        await using (var db = b.Open())
        {
            bNode = await db.Liblim().GetNodeIdAsync();
        }

        var status = await LiblimTool.RunAsync("status", "--db", LiblimTool.Db(a), "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var json = status.Json;
        Assert.Equal(expected.NodeId, json.GetProperty("nodeId").GetGuid());
        Assert.Equal(expected.Head, json.GetProperty("head").GetInt64());
        Assert.Equal(1, json.GetProperty("peers").GetInt32());
        var items = json.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "Items");
        Assert.Equal((3, 0, 1), (items.GetProperty("rows").GetInt64(), items.GetProperty("heldBack").GetInt64(), items.GetProperty("deleted").GetInt64()));

        var text = await LiblimTool.RunAsync("status", "--db", LiblimTool.Db(a));
        Assert.Contains($"node id    {expected.NodeId}", text.Lines);
        Assert.Contains($"feed head  {expected.Head}", text.Lines);
        Assert.Contains(text.Lines, l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).SequenceEqual(["Items", "3", "0", "1"]));

        var peers = await LiblimTool.RunAsync("peers", "--db", LiblimTool.Db(a), "--json");
        Assert.True(peers.ExitCode == 0, peers.ToString());
        var peer = Assert.Single(peers.Json.GetProperty("peers").EnumerateArray());
        var expectedPeer = Assert.Single(expected.Peers);
        Assert.Equal(bNode, peer.GetProperty("nodeId").GetGuid());
        Assert.Equal(3, peer.GetProperty("pending").GetInt64());
        Assert.Equal(expectedPeer.Pending, peer.GetProperty("pending").GetInt64());
        var lastSync = peer.GetProperty("lastSync").GetDateTimeOffset();
        Assert.InRange(lastSync, before, after);
        Assert.Equal(expectedPeer.LastSync, lastSync);
        Assert.Equal(expectedPeer.Address, peer.GetProperty("address").GetString());
        Assert.Equal(JsonValueKind.Null, peer.GetProperty("lastError").ValueKind);
        Assert.Equal(3, peer.GetProperty("sent").GetInt64()); // b was handed the three inserts

        var peersText = await LiblimTool.RunAsync("peers", "--db", LiblimTool.Db(a));
        var line = Assert.Single(peersText.Lines, l => l.StartsWith(bNode.ToString(), StringComparison.Ordinal));
        Assert.Contains(lastSync.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), line);
    }

    [Fact]
    public async Task A_replica_that_has_written_nothing_has_no_node_id_and_no_peer_yet()
    {
        using var a = NewReplica("status-empty");

        var status = await LiblimTool.RunAsync("status", "--db", LiblimTool.Db(a), "--json");
        var peers = await LiblimTool.RunAsync("peers", "--db", LiblimTool.Db(a));

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(JsonValueKind.Null, status.Json.GetProperty("nodeId").ValueKind);
        Assert.Equal(0, status.Json.GetProperty("head").GetInt64());
        Assert.Equal(["has synced with no peer yet"], peers.Lines.Select(l => l[(l.IndexOf(" has", StringComparison.Ordinal) + 1)..]));
    }
}
