using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>Changes travel through intermediate peers: a chain, and a star around a hub.</summary>
public class TopologyTcpTests
{
    [Fact]
    public async Task In_a_chain_a_change_on_a_reaches_c_through_b_and_back()
    {
        await using var a = await TcpPeer.StartAsync("chain-a");
        await using var b = await TcpPeer.StartAsync("chain-b");
        await using var c = await TcpPeer.StartAsync("chain-c");
        var fromA = Guid.NewGuid();
        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = fromA, Title = "written on a" });

        await a.SyncWithAsync(b);
        await c.SyncWithAsync(b);
        Assert.Equal("written on a", Replicas.Find(c.Replica, fromA)?.Title);

        await Replicas.EditAsync(c.Replica, fromA, i => i.Title = "edited on c");
        await c.SyncWithAsync(b);
        await b.SyncWithAsync(a);
        Assert.Equal("edited on c", Replicas.Find(a.Replica, fromA)?.Title);
        Assert.Equal(Snapshot.Of(a.Replica), Snapshot.Of(c.Replica));
    }

    [Fact]
    public async Task Edges_editing_the_same_rows_concurrently_converge_through_a_hub_even_when_they_sync_at_once()
    {
        await using var hub = await TcpPeer.StartAsync("star-hub");
        var edges = new List<TcpPeer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                edges.Add(await TcpPeer.StartAsync($"star-edge{i}"));
            }

            var shared = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
            await using (var db = hub.Replica.Open())
            {
                db.Items.AddRange(shared.Select(id => new TodoItem { Id = id, Title = "original" }));
                await db.SaveChangesAsync();
            }

            await Task.WhenAll(edges.Select(e => e.SyncWithAsync(hub)));

            // Offline: every edge edits every shared row, and adds and deletes rows of its own.
            for (var i = 0; i < edges.Count; i++)
            {
                var edge = edges[i];
                foreach (var id in shared)
                {
                    await Replicas.EditAsync(edge.Replica, id, item =>
                    {
                        item.Title = $"edge {i}";
                        item.Priority = i;
                    });
                }

                await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = Guid.NewGuid(), Title = $"new on {i}" });
                await Replicas.DeleteAsync(edge.Replica, shared[i]);
            }

            // Two rounds of everyone syncing with the hub at the same time.
            await Task.WhenAll(edges.Select(e => e.SyncWithAsync(hub)));
            await Task.WhenAll(edges.Select(e => e.SyncWithAsync(hub)));

            var expected = Snapshot.Of(hub.Replica);
            Assert.All(edges, e => Assert.Equal(expected, Snapshot.Of(e.Replica)));
            await using var check = hub.Replica.Open();
            Assert.Equal(5 - 3 + 3, check.Items.Count());
            Assert.Single(check.Items.Where(t => t.Title.StartsWith("edge")).Select(t => t.Title).Distinct());
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.DisposeAsync();
            }
        }
    }
}
