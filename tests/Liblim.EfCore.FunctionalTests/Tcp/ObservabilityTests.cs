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
        await using var hub = await TcpPeer.StartAsync("refusing-hub", o => o with { Secret = "another secret" });
        await using var edge = await SyncHost.StartAsync("refused-edge", listen: false, peers: hub.Address);
        var id = Guid.NewGuid();

        // Several refused attempts: the edge never counts itself connected, not even while a socket is open.
        var seenConnected = false;
        var until = DateTime.UtcNow.AddMilliseconds(500);
        while (DateTime.UtcNow < until)
        {
            seenConnected |= edge.Service.IsConnected(hub.Address);
            await Task.Delay(1);
        }

        await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = id, Title = "still works locally" });

        Assert.False(seenConnected);
        Assert.False(edge.Service.IsConnected(hub.Address));
        Assert.Null(Replicas.Find(hub.Replica, id));
        Assert.NotNull(Replicas.Find(edge.Replica, id));
    }
}
