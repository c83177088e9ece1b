using Microsoft.EntityFrameworkCore;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Sync.Internal;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A row updated once since the peer last synced goes as the columns the update set, one-shot too (docs/protocol.md
/// section 5): the peer holds the row as it was before. Read from the lines on the socket.
/// </summary>
public class UpdateDeltaTests
{
    [Fact]
    public async Task A_row_updated_once_since_the_last_sync_goes_as_its_update_and_one_updated_twice_or_never_sent_goes_whole()
    {
        await using var pair = await WatchedPair.StartAsync("update-delta");
        var (device, hub, proxy) = (pair.Device, pair.Hub, pair.Proxy);

        var id = Guid.NewGuid();
        await Replicas.InsertAsync(device.Replica, new TodoItem { Id = id, Title = "first", Notes = "a note", Priority = 1 });
        await pair.SyncAsync();
        await Replicas.EditAsync(device.Replica, id, i => i.Title = "second");
        await pair.SyncAsync();
        await Replicas.EditAsync(hub.Replica, id, i => i.Priority = 5);
        await pair.SyncAsync();
        await Replicas.EditAsync(device.Replica, id, i => i.Title = "third");
        await Replicas.EditAsync(device.Replica, id, i => i.Notes = "another note");
        await pair.SyncAsync();
        var other = Guid.NewGuid();
        await Replicas.InsertAsync(device.Replica, new TodoItem { Id = other, Title = "new" });
        await Replicas.EditAsync(device.Replica, other, i => i.Title = "new, edited");
        await pair.SyncAsync();

        var up = WatchedPair.RowStates(proxy.LinesToServer, id);
        Assert.Equal(3, up.Count);
        Assert.True(up[0].TryGetProperty("a", out _)); // the insert, whole
        Assert.Equal(["Title"], WatchedPair.Values(up[1])); // the update alone
        Assert.False(up[1].TryGetProperty("a", out _));
        Assert.True(up[2].TryGetProperty("a", out _)); // two updates since the last sync: whole
        Assert.Equal(8, WatchedPair.Values(up[2]).Length);
        Assert.Equal(["Priority"], WatchedPair.Values(Assert.Single(WatchedPair.RowStates(proxy.LinesToClient, id))));
        Assert.True(Assert.Single(WatchedPair.RowStates(proxy.LinesToServer, other)).TryGetProperty("a", out _)); // never sent: whole

        foreach (var key in new[] { id, other })
        {
            Assert.Equivalent(Replicas.Find(device.Replica, key), Replicas.Find(hub.Replica, key));
        }

        Assert.Equal(("third", "another note", 5), (Replicas.Find(hub.Replica, id)!.Title, Replicas.Find(hub.Replica, id)!.Notes, Replicas.Find(hub.Replica, id)!.Priority));
    }

    [Fact]
    public async Task A_row_merged_from_a_peers_update_into_one_the_peer_held_is_not_sent_back_to_it()
    {
        await using var pair = await WatchedPair.StartAsync("update-delta-merged");
        var (device, hub, proxy) = (pair.Device, pair.Hub, pair.Proxy);

        var id = Guid.NewGuid();
        await Replicas.InsertAsync(device.Replica, new TodoItem { Id = id, Title = "first", Notes = "a note" });
        await pair.SyncAsync();
        await Replicas.EditAsync(hub.Replica, id, i => i.Priority = 5);
        await pair.SyncAsync(); // the device merges the hub's update into the row the hub got from it
        await pair.SyncAsync(); // so the merged row, which the hub holds, does not go back
        await Replicas.EditAsync(device.Replica, id, i => i.Title = "second");
        await pair.SyncAsync(); // and an update made on it afterwards goes alone

        var up = WatchedPair.RowStates(proxy.LinesToServer, id);
        Assert.Equal(2, up.Count);
        Assert.True(up[0].TryGetProperty("a", out _));
        Assert.Equal(["Title"], WatchedPair.Values(up[1]));
        Assert.Equal(["Priority"], WatchedPair.Values(Assert.Single(WatchedPair.RowStates(proxy.LinesToClient, id))));
        Assert.Equivalent(Replicas.Find(hub.Replica, id), Replicas.Find(device.Replica, id));
        Assert.Equal(("second", 5), (Replicas.Find(hub.Replica, id)!.Title, Replicas.Find(hub.Replica, id)!.Priority));
    }

    [Fact]
    public async Task A_peer_recorded_by_a_version_without_read_heads_gets_updates_whole_until_a_sync_has_recorded_one()
    {
        await using var pair = await WatchedPair.StartAsync("update-delta-old");
        var (device, hub, proxy) = (pair.Device, pair.Hub, pair.Proxy);

        var id = Guid.NewGuid();
        await Replicas.InsertAsync(device.Replica, new TodoItem { Id = id, Title = "first" });
        await pair.SyncAsync();
        await using (var db = device.Replica.Open())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE __liblim_peers SET read_head = NULL"); // as the PeerReadHeads migration leaves it
        }

        await Replicas.EditAsync(device.Replica, id, i => i.Title = "second");
        await pair.SyncAsync();
        await Replicas.EditAsync(device.Replica, id, i => i.Title = "third");
        await pair.SyncAsync();

        var up = WatchedPair.RowStates(proxy.LinesToServer, id);
        Assert.Equal(3, up.Count);
        Assert.True(up[1].TryGetProperty("a", out _)); // no read head recorded: whole
        Assert.Equal(["Title"], WatchedPair.Values(up[2])); // recorded by the sync before: the update alone
        Assert.Equal("third", Replicas.Find(hub.Replica, id)!.Title);
    }

    [Theory]
    [InlineData(1, 1, true)] // the peer read the row's position before the update was made
    [InlineData(1, 2, false)] // a read for the peer may have come after the update, and left the row out
    [InlineData(0, 1, false)] // the peer never read the row's position before the update
    public async Task The_feed_sends_an_update_alone_only_to_a_peer_known_to_hold_the_row_as_it_was_before(long position, long readHead, bool alone)
    {
        using var replica = new SqliteReplica("update-delta-feed");
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(replica, new TodoItem { Id = id, Title = "first", Notes = "a note" }); // position 1
        await Replicas.EditAsync(replica, id, i => i.Title = "second"); // position 2

        await using var db = replica.Open();
        var page = await ChangeFeed.ReadAsync(db, position, null, 1_000, Guid.NewGuid(), new PeerBaseline(position, readHead), scope: null, async: true, default);

        var state = page.ToSend(Assert.Single(page.States));
        Assert.Equal(alone ? ["Title"] : ["Cost", "Done", "DueUtc", "Notes", "Place_City", "Place_Street", "Priority", "Title"], state.Columns.Keys);
        Assert.Equal(alone, state.AddTags.IsEmpty);
    }
}
