using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// Edge devices on SQLite sync over TCP with a central PostgreSQL database served by two independent hub
/// servers (each with its own connection pool), all at the same time.
/// </summary>
public class EdgeToHubTests
{
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Ten_edges_editing_and_syncing_at_once_through_two_hubs_converge_to_the_write_log(int seed)
    {
        var random = new Random(seed);
        using var central = new PostgresReplica("central");
        var hubs = new List<LiblimServer>();
        var edges = Enumerable.Range(0, 10).Select(i => new SqliteReplica($"edge{i}")).ToList();
        try
        {
            foreach (var name in new[] { "hub1", "hub2" })
            {
                // Separate pools, as two hub processes would have.
                var connection = $"{central.ConnectionString};Application Name={name}";
                var factory = new ReplicaFactory(() => new TodoDb(new DbContextOptionsBuilder<TodoDb>().UseNpgsql(connection).UseLiblim().Options));
                hubs.Add(await LiblimServer.StartAsync(factory, new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = TcpPeer.Secret }));
            }

            Assert.Equal(hubs[0].NodeId, hubs[1].NodeId); // one database, one node
            var centralNode = hubs[0].NodeId;
            var edgeNodes = new List<Guid>();
            foreach (var edge in edges)
            {
                await using var db = edge.Open();
                edgeNodes.Add(await db.Liblim().GetNodeIdAsync());
            }

            var log = new WriteLog();
            var seeds = edges.Select(_ => random.Next()).ToList();
            for (var round = 0; round < 4; round++)
            {
                // The central database is edited between rounds, by its own app.
                for (var i = 0; i < 3; i++)
                {
                    await RandomEdits.EditAsync(central, centralNode, random, log);
                }

                // Every edge edits offline, then syncs through either hub; all edges at once.
                await Task.WhenAll(edges.Select((edge, i) => Task.Run(async () =>
                {
                    var own = new Random(seeds[i] + round);
                    for (var e = 0; e < 3; e++)
                    {
                        await RandomEdits.EditAsync(edge, edgeNodes[i], own, log);
                    }

                    await SyncAsync(edge, hubs[own.Next(hubs.Count)]);
                })));
            }

            // Two more rounds at once: the first brings the hub everything, the second brings it to every edge.
            for (var round = 0; round < 2; round++)
            {
                await Task.WhenAll(edges.Select((edge, i) => SyncAsync(edge, hubs[i % hubs.Count])));
            }

            var expected = log.Expected();
            Assert.True(expected.Count > 5, "the edits left rows alive");
            Assert.Equal(expected, await RandomEdits.ItemsAsync(central));
            foreach (var edge in edges)
            {
                Assert.Equal(expected, await RandomEdits.ItemsAsync(edge));
            }
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }

            foreach (var edge in edges)
            {
                edge.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_postgresql_database_syncs_with_another_over_tcp_and_a_second_sync_sends_nothing()
    {
        using var left = new PostgresReplica("left");
        using var right = new PostgresReplica("right");
        await using var server = await LiblimServer.StartAsync(new ReplicaFactory(right), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = TcpPeer.Secret });
        await Replicas.InsertAsync(left, new TodoItem { Id = Guid.NewGuid(), Title = "left", Cost = 12.50m });
        await Replicas.InsertAsync(right, new TodoItem { Id = Guid.NewGuid(), Title = "right", DueUtc = new DateTime(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc) });

        await using var db = left.Open();
        var address = new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}");
        var first = await db.Liblim().SyncWithAsync(address, TcpPeer.Secret);
        var second = await db.Liblim().SyncWithAsync(address, TcpPeer.Secret);

        Assert.Equal((1, 1), (first.RowsSent, first.RowsReceived));
        Assert.Equal((0, 0), (second.RowsSent, second.RowsReceived));
        Assert.Equal(Snapshot.Of(left), Snapshot.Of(right));
    }

    private static async Task SyncAsync(IReplica edge, LiblimServer hub)
    {
        await using var db = edge.Open();
        await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{hub.Endpoint.Port}"), TcpPeer.Secret);
    }
}
