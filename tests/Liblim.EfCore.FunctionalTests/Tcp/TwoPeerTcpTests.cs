using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>Two replicas sync over real loopback TCP with the liblim protocol.</summary>
public class TwoPeerTcpTests
{
    [Fact]
    public async Task Edits_on_both_sides_cross_the_wire_and_the_tables_become_identical()
    {
        await using var a = await TcpPeer.StartAsync("tcp-a");
        await using var b = await TcpPeer.StartAsync("tcp-b");
        var shared = Guid.NewGuid();
        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = shared, Title = "from a", Priority = 1 });
        await Replicas.InsertAsync(b.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "from b" });
        await using (var db = b.Replica.Open())
        {
            db.Audit.Add(new AuditEntry { Id = Guid.NewGuid(), Message = "b was here" });
            db.Shapes.Add(new Square { Code = "sq:1", Region = 3, Color = "red", Side = 2.5 });
            await db.SaveChangesAsync();
        }

        var first = await a.SyncWithAsync(b);

        Assert.Equal(1, first.RowsSent);
        Assert.Equal(3, first.RowsReceived);
        Assert.Equal(3, first.RowsApplied);
        Assert.Equal(1, first.RowsAppliedByPeer);
        Assert.Equal(b.Server.NodeId, first.Peer);
        Assert.Equal(Snapshot.Of(a.Replica), Snapshot.Of(b.Replica));
        Assert.Contains("square sq:1/3 red s=2.5", Snapshot.Of(a.Replica));
    }

    [Fact]
    public async Task Concurrent_edits_of_one_row_merge_per_column_over_tcp()
    {
        await using var a = await TcpPeer.StartAsync("tcp-a");
        await using var b = await TcpPeer.StartAsync("tcp-b");
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = id, Title = "draft" });
        await b.SyncWithAsync(a);

        await Replicas.EditAsync(a.Replica, id, i => i.Title = "final title");
        await Replicas.EditAsync(b.Replica, id, i => i.Done = true);
        await b.SyncWithAsync(a);

        var item = Replicas.Find(a.Replica, id)!;
        Assert.Equal("final title", item.Title);
        Assert.True(item.Done);
        Assert.Equal(Snapshot.Of(a.Replica), Snapshot.Of(b.Replica));
    }

    [Fact]
    public async Task A_second_sync_right_after_sends_nothing()
    {
        await using var a = await TcpPeer.StartAsync("tcp-a");
        await using var b = await TcpPeer.StartAsync("tcp-b");
        for (var i = 0; i < 20; i++)
        {
            await Replicas.InsertAsync(i % 2 == 0 ? a.Replica : b.Replica, new TodoItem { Id = Guid.NewGuid(), Title = $"item {i}" });
        }

        await a.SyncWithAsync(b);
        var second = await a.SyncWithAsync(b);

        Assert.Equal(0, second.RowsSent);
        Assert.Equal(0, second.RowsReceived);
    }

    [Fact]
    public async Task After_a_full_sync_a_one_column_change_sends_one_small_row_whatever_the_table_size()
    {
        await using var a = await TcpPeer.StartAsync("tcp-a");
        await using var b = await TcpPeer.StartAsync("tcp-b");
        var ids = Enumerable.Range(0, 2000).Select(_ => Guid.NewGuid()).ToList();
        await using (var db = a.Replica.Open())
        {
            db.Items.AddRange(ids.Select(id => new TodoItem { Id = id, Title = $"item {id}", Notes = new string('n', 40) }));
            await db.SaveChangesAsync();
        }

        var full = await a.SyncWithAsync(b);
        Assert.Equal(2000, full.RowsSent);

        await Replicas.EditAsync(a.Replica, ids[1234], i => i.Done = true);
        var progress = new LastProgress();
        var delta = await a.SyncWithAsync(b, progress);

        Assert.Equal(1, delta.RowsSent);
        Assert.Equal(1, delta.RowsAppliedByPeer);
        Assert.True(Replicas.Find(b.Replica, ids[1234])!.Done);
        // Greeting, IHAZ, one row line and KTHXBAI: under a kilobyte, not the 2,000-row table.
        Assert.InRange(progress.Last!.BytesSent, 1, 1000);
    }

    [Fact]
    public async Task After_a_full_sync_a_one_column_change_costs_under_a_kilobyte_on_the_socket_both_ways()
    {
        await using var a = await TcpPeer.StartAsync("tcp-a");
        await using var b = await TcpPeer.StartAsync("tcp-b");
        var ids = Enumerable.Range(0, 2000).Select(_ => Guid.NewGuid()).ToList();
        await using (var db = a.Replica.Open())
        {
            db.Items.AddRange(ids.Select(id => new TodoItem { Id = id, Title = $"item {id}", Notes = new string('n', 40), Priority = 2 }));
            await db.SaveChangesAsync();
        }

        await a.SyncWithAsync(b);
        await Replicas.EditAsync(a.Replica, ids[1234], i => i.Done = true);
        await using var proxy = new CuttingProxy(b.Server.Endpoint);
        SyncResult delta;
        await using (var db = a.Replica.Open())
        {
            delta = await db.Liblim().SyncWithAsync(proxy.Address, TcpPeer.Secret);
        }

        Assert.Equal(1, delta.RowsSent);
        Assert.Equal(1, delta.RowsAppliedByPeer);
        Assert.True(Replicas.Find(b.Replica, ids[1234])!.Done);
        // The whole session, both directions, as real bytes on the socket: greetings, proofs, IHAZ, one row, KTHXBAI.
        Assert.InRange(proxy.BytesToServer, 100, 999);
        Assert.InRange(proxy.BytesToClient, 100, 999);
        Assert.InRange(proxy.BytesToServer + proxy.BytesToClient, 200, 999);
    }

    [Fact]
    public async Task Ihaz_names_only_the_peers_position_and_a_kthxbai_with_nothing_received_has_no_counts()
    {
        await using var server = await TcpPeer.StartAsync("tcp-lines");
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = id, Title = "on the server" });
        await using var raw = await RawPeer.ConnectAsync(server);
        await raw.GreetAsync();

        // A client that names only the server's position (its own head is optional) is understood.
        await raw.SendAsync($"IHAZ {{\"{raw.ServerNode:D}\":0}}\n");
        Assert.Equal($"IHAZ {{\"{raw.Node:D}\":0}}", await raw.ReadLineAsync());
        await raw.SendAsync("KTHXBAI\n");

        Assert.Matches("^UCANHAZ [0-9]+$", await raw.ReadLineAsync());
        Assert.StartsWith($"Items/[\"{id:D}\"]:", await raw.ReadLineAsync());
        Assert.Equal("", await raw.ReadLineAsync());
        Assert.Equal("KTHXBAI", await raw.ReadLineAsync());
    }

    [Fact]
    public async Task A_server_started_from_context_options_serves_its_database()
    {
        using var served = new SqliteReplica("served-by-options");
        await Replicas.InsertAsync(served, new TodoItem { Id = Guid.NewGuid(), Title = "on the server" });
        await using var server = await LiblimServer.StartAsync(served.Options,
            new LiblimServerOptions { Endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Secret = TcpPeer.Secret });
        using var client = new SqliteReplica("client-of-options");

        await using var db = client.Open();
        var result = await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}"), TcpPeer.Secret);

        Assert.Equal(1, result.RowsApplied);
        Assert.Equal("on the server", Assert.Single(Replicas.All(client)).Title);
    }

    [Fact]
    public async Task A_server_from_options_of_a_context_without_a_constructor_that_takes_them_is_refused_with_the_fix()
    {
        var options = new DbContextOptionsBuilder<NoOptionsDb>().UseSqlite("Data Source=:memory:").UseLiblim().Options;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LiblimServer.StartAsync(options,
            new LiblimServerOptions { Endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Secret = TcpPeer.Secret }));

        Assert.Contains("NoOptionsDb has no public constructor that takes DbContextOptions<NoOptionsDb>", error.Message);
    }

    public sealed class NoOptionsDb : DbContext;

    [Fact]
    public async Task Progress_is_reported_batch_by_batch_for_a_large_transfer()
    {
        await using var a = await TcpPeer.StartAsync("tcp-a");
        await using var b = await TcpPeer.StartAsync("tcp-b");
        var batch = new LiblimProtocolLimits().BatchSize;
        await using (var db = b.Replica.Open())
        {
            db.Items.AddRange(Enumerable.Range(0, 2 * batch + (batch / 2)).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"item {i}" }));
            await db.SaveChangesAsync();
        }

        var progress = new AllProgress();
        await a.SyncWithAsync(b, progress);

        var received = progress.Reports.Select(p => p.RowsReceived).Distinct().ToList();
        Assert.Equal([batch, 2 * batch, 2 * batch + (batch / 2)], received);
        Assert.All(progress.Reports, p => Assert.Equal(b.Server.NodeId, p.Peer));
    }

    private sealed class LastProgress : IProgress<SyncProgress>
    {
        public SyncProgress? Last { get; private set; }

        public void Report(SyncProgress value) => Last = value;
    }

    private sealed class AllProgress : IProgress<SyncProgress>
    {
        public List<SyncProgress> Reports { get; } = [];

        public void Report(SyncProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }
}
