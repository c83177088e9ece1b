using Microsoft.EntityFrameworkCore;


namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// Peers edit at random and sync at random over TCP, some syncs through a proxy that drops the connection at
/// a random byte. After a final round of clean syncs every peer holds the same rows, and each is what the
/// write log predicts: nothing lost, nothing resurrected.
/// </summary>
public class RandomTcpConvergenceTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task Random_edits_and_syncs_with_dropped_connections_converge_with_nothing_lost(int seed)
    {
        var random = new Random(seed);
        var peers = new List<TcpPeer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                peers.Add(await TcpPeer.StartAsync($"rtcp{i}"));
            }

            var log = new WriteLog();
            var nodes = new Dictionary<TcpPeer, Guid>();
            foreach (var p in peers)
            {
                nodes[p] = p.Server.NodeId;
            }

            var dropped = 0;
            for (var step = 0; step < 50; step++)
            {
                var peer = peers[random.Next(peers.Count)];
                if (random.Next(4) == 0)
                {
                    var other = peers.Where(p => p != peer).ElementAt(random.Next(peers.Count - 1));
                    if (random.Next(2) == 0)
                    {
                        // Until one sync has been cut, cut inside the server's greeting (its two lines are 117 bytes), so
                        // every seed cuts at least once however few bytes its later sessions cost; then anywhere.
                        var cut = random.Next(0, dropped == 0 ? 117 : 4000);
                        await using var proxy = new CuttingProxy(other.Server.Endpoint, () => cut);
                        await using var db = peer.Replica.Open();
                        try
                        {
                            await db.Liblim().SyncWithAsync(proxy.Address, TcpPeer.Secret);
                        }
                        catch (ProtocolException)
                        {
                            dropped++;
                        }
                    }
                    else
                    {
                        await peer.SyncWithAsync(other);
                    }

                    continue;
                }

                await RandomEdits.EditAsync(peer.Replica, nodes[peer], random, log);
            }

            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < peers.Count; i++)
                {
                    await peers[i].SyncWithAsync(peers[(i + 1) % peers.Count]);
                }
            }

            Assert.True(dropped > 0, "some syncs were cut off");
            var expected = log.Expected();
            foreach (var peer in peers)
            {
                Assert.Equal(expected, await RandomEdits.ItemsAsync(peer.Replica));
            }
        }
        finally
        {
            foreach (var peer in peers)
            {
                await peer.DisposeAsync();
            }
        }
    }
}
