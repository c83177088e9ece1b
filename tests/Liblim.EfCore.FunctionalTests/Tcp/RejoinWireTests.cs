using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// On the wire: a server that has collected a deleted row asks a peer that never applied the delete for its whole feed
/// (<c>IHAZ</c> with <c>"whole":true</c>), takes the peer's tag of that row as dead, and answers with the row's tombstone
/// (docs/protocol.md, section 5, "Collected deleted rows").
/// </summary>
public class RejoinWireTests
{
    [Fact]
    public async Task A_peer_behind_the_servers_collection_is_asked_for_its_whole_feed_and_gets_the_tombstone_of_the_row_it_still_holds()
    {
        var time = new TickingTime();
        await using var server = await TcpPeer.StartAsync("collecting-server", liblim: o => o.TimeProvider(time));
        var x = Guid.NewGuid();
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = x, Title = "deleted while the peer was away" });
        var node = Guid.NewGuid();

        // The peer gets the row, as it was then.
        string rowLine;
        long reached;
        await using (var raw = await RawPeer.ConnectAsync(server.Server, node))
        {
            await raw.GreetAndHaveAsync();
            await raw.SendAsync("KTHXBAI\n");
            reached = long.Parse((await raw.ReadLineAsync())!["UCANHAZ ".Length..]);
            rowLine = (await raw.ReadLineAsync())!;
            Assert.StartsWith($"Items/[\"{x}\"]:", rowLine);
            Assert.Contains("\"a\":", rowLine);
        }

        // Away longer than ForgetPeersAfter: the row is deleted, and collected once another peer has the delete.
        time.Advance(TimeSpan.FromDays(31));
        await Replicas.DeleteAsync(server.Replica, x);
        using var other = new SqliteReplica("other", o => o.TimeProvider(time));
        await using (var db = other.Open())
        {
            await db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret);
            await db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret);
        }

        await Collected.WaitUntilAsync(server.Replica, x);

        await using (var raw = await RawPeer.ConnectAsync(server.Server, node))
        {
            await raw.GreetAsync();
            await raw.SendAsync($"IHAZ {{\"{raw.ServerNode:D}\":{reached}}}\n");
            Assert.Equal($"IHAZ {{\"{node:D}\":0,\"whole\":true}}", await raw.ReadLineAsync());
            await raw.SendAsync($"UCANHAZ 1\n{rowLine}\n\nKTHXBAI\n");
            var answer = new List<string>();
            for (var line = await raw.ReadLineAsync(); line is not null && !line.StartsWith("KTHXBAI", StringComparison.Ordinal); line = await raw.ReadLineAsync())
            {
                answer.Add(line);
            }

            var tombstone = Assert.Single(answer, l => l.StartsWith($"Items/[\"{x}\"]:", StringComparison.Ordinal));
            Assert.Contains("\"d\":[", tombstone);
            Assert.DoesNotContain("\"a\":", tombstone);
        }

        Assert.Null(Replicas.Find(server.Replica, x));
        var kept = Assert.Single(ShadowRows.Rows(server.Replica));
        Assert.Null(kept.AddTags); // deleted there again, with the peer's values kept as a deleted row's
    }
}
