using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// On a live session, a row that went over the connection before goes again as what changed since (docs/protocol.md
/// section 5), read here from the lines on the socket: an edit of one column sends that column, a delete its
/// tombstones, and nothing a side received goes back to it.
/// </summary>
public class LiveDeltaTests
{
    private const string Note = "a long note that an edit of another column does not send again";

    [Fact]
    public async Task A_row_sent_before_goes_again_as_the_columns_that_changed_and_nothing_goes_back_where_it_came_from()
    {
        await using var hub = await SyncHost.StartAsync("delta-hub", listen: true);
        await using var proxy = new CuttingProxy(hub.Service.Server!.Endpoint);
        await using var edge = await SyncHost.StartAsync("delta-edge", listen: false, peers: proxy.Address);
        await SyncHost.EventuallyAsync(() => edge.Service.IsConnected(proxy.Address), "the edge is connected");

        var id = Guid.NewGuid();
        await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = id, Title = "first", Notes = Note, Priority = 1 });
        await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, id) is not null, "the hub has the row");
        await Replicas.EditAsync(edge.Replica, id, i => i.Title = "second");
        await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, id)?.Title == "second", "the hub has the edge's edit");
        await Replicas.EditAsync(hub.Replica, id, i => i.Priority = 5);
        await SyncHost.EventuallyAsync(() => Replicas.Find(edge.Replica, id)?.Priority == 5, "the edge has the hub's edit");
        await Replicas.DeleteAsync(edge.Replica, id);
        await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, id) is null, "the hub has the edge's delete");

        var up = WatchedPair.RowStates(proxy.LinesToServer, id);
        var down = WatchedPair.RowStates(proxy.LinesToClient, id);

        // Edge to hub: the insert whole, the edit as its column, the delete as its tombstone.
        Assert.Equal(3, up.Count);
        Assert.Equal(["Cost", "Done", "DueUtc", "Notes", "Place_City", "Place_Street", "Priority", "Title"], WatchedPair.Values(up[0]));
        Assert.True(up[0].TryGetProperty("a", out _));
        Assert.Equal(["Title"], WatchedPair.Values(up[1]));
        Assert.False(up[1].TryGetProperty("a", out _));
        Assert.Equal([], WatchedPair.Values(up[2]));
        Assert.Equal(1, up[2].GetProperty("d").GetArrayLength());

        // Hub to edge: its own edit alone, as its column; nothing the edge sent came back.
        var only = Assert.Single(down);
        Assert.Equal(["Priority"], WatchedPair.Values(only));
        Assert.DoesNotContain(proxy.LinesToClient, l => l.Contains(Note, StringComparison.Ordinal));
    }
}
