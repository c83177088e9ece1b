using Liblim.EfCore.Crdt;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
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
            var dropped = 0;
            for (var step = 0; step < 50; step++)
            {
                var peer = peers[random.Next(peers.Count)];
                if (random.Next(4) == 0)
                {
                    var other = peers.Where(p => p != peer).ElementAt(random.Next(peers.Count - 1));
                    if (random.Next(2) == 0)
                    {
                        var cut = random.Next(0, 4000);
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

                await EditAsync(peer.Replica, random, log);
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
                await using var db = peer.Replica.Open();
                var actual = (await db.Items.AsNoTracking().ToListAsync()).OrderBy(i => i.Id).Select(i => $"{i.Id} {i.Title} {i.Priority}").ToList();
                Assert.Equal(expected, actual);
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

    private static async Task EditAsync(SqliteReplica replica, Random random, WriteLog log)
    {
        await using var db = replica.Open();
        var alive = await db.Items.Select(i => i.Id).OrderBy(i => i).ToListAsync();
        var choice = random.Next(10);
        if (alive.Count == 0 || choice < 3)
        {
            var dead = log.Keys.Except(alive).OrderBy(k => k).ToList();
            var id = dead.Count > 0 && random.Next(3) == 0 ? dead[random.Next(dead.Count)] : Guid.NewGuid();
            var item = new TodoItem { Id = id, Title = $"t{random.Next(100)}", Priority = random.Next(5) };
            db.Items.Add(item);
            await db.SaveChangesAsync();
            log.Insert(id, StateClock(replica), item.Title, item.Priority);
        }
        else if (choice < 8)
        {
            var pick = alive[random.Next(alive.Count)];
            var item = await db.Items.SingleAsync(i => i.Id == pick);
            var values = new Dictionary<string, object>();
            if (random.Next(2) == 0)
            {
                item.Title = $"t{random.Next(100)}";
                values["Title"] = item.Title;
            }
            else
            {
                item.Priority = (item.Priority + 1 + random.Next(4)) % 5;
                values["Priority"] = item.Priority;
            }

            await db.SaveChangesAsync();
            log.Update(item.Id, StateClock(replica), values);
        }
        else
        {
            var id = alive[random.Next(alive.Count)];
            var observed = ShadowRows.Row(replica, "Items", id)!.AddTags!.Split(',').Select(t => HybridTimestamp.Parse(t));
            db.Items.Remove(await db.Items.SingleAsync(i => i.Id == id));
            await db.SaveChangesAsync();
            log.Delete(id, observed);
        }
    }

    /// <summary>The timestamp of the replica's last local write.</summary>
    private static HybridTimestamp StateClock(SqliteReplica replica)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={replica.Path}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT clock, node_id FROM __liblim_state";
        using var r = cmd.ExecuteReader();
        r.Read();
        return new HybridTimestamp(r.GetInt64(0), Guid.ParseExact(r.GetString(1), "N"));
    }

    /// <summary>
    /// Every write made anywhere. Once all peers know all writes, a row exists while one of its inserts was
    /// not observed by any delete, and each column holds the value of its latest write.
    /// </summary>
    private sealed class WriteLog
    {
        private readonly List<(Guid Key, HybridTimestamp At, IReadOnlyDictionary<string, object> Values, bool Insert)> _writes = [];
        private readonly HashSet<HybridTimestamp> _deletedTags = [];

        public IEnumerable<Guid> Keys => _writes.Select(w => w.Key).Distinct();

        public void Insert(Guid key, HybridTimestamp at, string title, int priority)
            => _writes.Add((key, at, new Dictionary<string, object> { ["Title"] = title, ["Priority"] = priority }, true));

        public void Update(Guid key, HybridTimestamp at, Dictionary<string, object> values) => _writes.Add((key, at, values, false));

        public void Delete(Guid key, IEnumerable<HybridTimestamp> observedTags) => _deletedTags.UnionWith(observedTags);

        public List<string> Expected()
            => [.. Keys.Order()
                .Where(key => _writes.Any(w => w.Key == key && w.Insert && !_deletedTags.Contains(w.At)))
                .Select(key => $"{key} {Latest(key, "Title")} {Latest(key, "Priority")}")];

        private object Latest(Guid key, string column)
            => _writes.Where(w => w.Key == key && w.Values.ContainsKey(column)).MaxBy(w => w.At).Values[column];
    }
}
