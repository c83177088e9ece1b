using System.Net;
using System.Net.Sockets;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// With AddLiblimSync, a change saved on one peer appears on connected peers without any sync call, in both
/// directions and through a hub; a peer that is down is retried until it is back.
/// </summary>
public class LivePushTests
{
    [Fact]
    public async Task A_change_saved_on_either_side_appears_on_the_other_without_a_sync_call()
    {
        await using var hub = await SyncHost.StartAsync("live-hub", listen: true);
        await using var edge = await SyncHost.StartAsync("live-edge", listen: false, peers: hub.Address);
        await SyncHost.EventuallyAsync(() => edge.Service.IsConnected(hub.Address), "the edge is connected");

        var fromEdge = Guid.NewGuid();
        await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = fromEdge, Title = "saved on the edge" });
        await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, fromEdge) is not null, "the hub has the edge's row");

        await Replicas.EditAsync(hub.Replica, fromEdge, i => i.Title = "edited on the hub");
        await SyncHost.EventuallyAsync(() => Replicas.Find(edge.Replica, fromEdge)?.Title == "edited on the hub", "the edge has the hub's edit");
    }

    [Fact]
    public async Task A_change_on_one_edge_reaches_another_edge_through_the_hub_and_the_app_is_told_which_rows_changed()
    {
        await using var hub = await SyncHost.StartAsync("live-hub", listen: true);
        await using var first = await SyncHost.StartAsync("live-edge1", listen: false, peers: hub.Address);
        await using var second = await SyncHost.StartAsync("live-edge2", listen: false, peers: hub.Address);
        var changed = new List<ChangedRow>();
        second.Service.RowsChanged += (_, e) =>
        {
            lock (changed)
            {
                changed.AddRange(e.Rows);
            }
        };
        await SyncHost.EventuallyAsync(() => first.Service.IsConnected(hub.Address) && second.Service.IsConnected(hub.Address), "both edges are connected");

        var id = Guid.NewGuid();
        await Replicas.InsertAsync(first.Replica, new TodoItem { Id = id, Title = "from edge 1" });

        await SyncHost.EventuallyAsync(() => Replicas.Find(second.Replica, id) is not null, "edge 2 has edge 1's row");
        await SyncHost.EventuallyAsync(() => { lock (changed) { return changed.Contains(new ChangedRow("Items", $"[\"{id}\"]", RowChange.Inserted)); } }, "edge 2's app was told the row was inserted");
    }

    [Fact]
    public async Task A_peer_that_is_down_at_start_is_synced_with_once_it_is_up()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var hubAddress = new Uri($"liblim://127.0.0.1:{port}");
        await using var edge = await SyncHost.StartAsync("late-edge", listen: false, peers: hubAddress);
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = id, Title = "saved while the hub was down" });
        await SyncHost.EventuallyAsync(() => edge.FailedAttempts(hubAddress) >= 3, "the edge has tried the hub three times and failed");
        Assert.False(edge.Service.IsConnected(hubAddress));

        var hub = await SyncHost.StartAsync("late-hub", listen: true, port: port);
        await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, id) is not null, "the hub has the edge's row");
        Assert.Equal(1, edge.Log.Count("Liblim.EfCore.LiblimSyncService", LogLevel.Warning, $"Live sync with {hubAddress}"));
        await hub.DisposeAsync();
        await SyncHost.EventuallyAsync(() => !edge.Service.IsConnected(hubAddress), "the edge has seen the hub go");

        // An offline device's log: one Warning for the failures, the rest at Debug, a line when it connects, and one when the
        // peer goes away (then the failures to reach it again).
        Assert.Equal(1, edge.Log.Count("Liblim.EfCore.LiblimSyncService", LogLevel.Information, $"Live sync with {hubAddress} connected, after"));
        Assert.Equal(1, edge.Log.Count("Liblim.EfCore.LiblimSyncService", LogLevel.Information, $"Live sync with {hubAddress} disconnected."));
        Assert.Contains(LiblimLogEvents.LiveDisconnected, edge.Log.Events());
    }
}
