using System.Diagnostics.Metrics;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>Operators see what sync does through System.Diagnostics.Metrics.</summary>
public class ObservabilityTests
{
    [Fact]
    public async Task Rows_and_bytes_of_a_sync_are_counted_on_the_liblim_meter()
    {
        await using var a = await TcpPeer.StartAsync("metrics-a");
        await using var b = await TcpPeer.StartAsync("metrics-b");
        for (var i = 0; i < 5; i++)
        {
            await Replicas.InsertAsync(a.Replica, new TodoItem { Id = Guid.NewGuid(), Title = $"metric {i}" });
        }

        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Liblim.EfCore")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (totals)
            {
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();

        await a.SyncWithAsync(b);
        listener.Dispose();

        // Both ends of the one connection count: a sends 5 rows, b receives and applies 5.
        Assert.True(totals.GetValueOrDefault("liblim.sync.rows_sent") >= 5);
        Assert.True(totals.GetValueOrDefault("liblim.sync.rows_received") >= 5);
        Assert.True(totals.GetValueOrDefault("liblim.sync.rows_applied") >= 5);
        Assert.True(totals.GetValueOrDefault("liblim.sync.bytes_sent") > 0);
        Assert.True(totals.GetValueOrDefault("liblim.sync.bytes_received") > 0);
    }

    [Fact]
    public async Task A_peer_that_refuses_the_secret_does_not_stop_the_sync_service()
    {
        var refusing = await TcpPeer.StartAsync("refusing-hub", o => o with { Secret = "another secret" });
        var hubAddress = refusing.Address;
        var port = refusing.Server.Endpoint.Port;
        await using var edge = await SyncHost.StartAsync("refused-edge", listen: false, peers: hubAddress);
        var id = Guid.NewGuid();
        try
        {
            // Several refused attempts, each reported: the edge never counts itself connected, not even while a socket is open.
            var seenConnected = false;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (edge.FailedAttempts(hubAddress) < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, "Timed out waiting until the edge was refused three times.");
                seenConnected |= edge.Service.IsConnected(hubAddress);
                await Task.Delay(1);
            }

            await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = id, Title = "still works locally" });

            Assert.False(seenConnected);
            Assert.False(edge.Service.IsConnected(hubAddress));
            Assert.Null(Replicas.Find(refusing.Replica, id));
            Assert.NotNull(Replicas.Find(edge.Replica, id));
        }
        finally
        {
            await refusing.DisposeAsync();
        }

        // The service kept running: once the peer at that address accepts the secret, the edge connects and pushes its row.
        await using var hub = await SyncHost.StartAsync("accepting-hub", listen: true, port: port);
        await SyncHost.EventuallyAsync(() => edge.Service.IsConnected(hubAddress), "the edge is connected to the hub that accepts its secret");
        await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, id) is not null, "the hub has the row the edge saved while it was refused");
    }
}
