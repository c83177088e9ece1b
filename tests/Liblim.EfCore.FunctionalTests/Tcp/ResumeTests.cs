using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>A transfer cut off halfway loses nothing, and the next sync goes on from the last applied batch.</summary>
public class ResumeTests
{
    [Fact]
    public async Task A_sync_cut_mid_transfer_keeps_whole_batches_and_the_next_sync_sends_only_the_rest()
    {
        await using var server = await TcpPeer.StartAsync("resume-server");
        using var client = new SqliteReplica("resume-client");
        await using (var db = server.Replica.Open())
        {
            db.Items.AddRange(Enumerable.Range(0, 3000).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}", Notes = new string('x', 100) }));
            await db.SaveChangesAsync();
        }

        // A row line is about 400 bytes: the cut falls after the first batch and before the last.
        await using (var proxy = new CuttingProxy(server.Server.Endpoint, () => 600_000))
        await using (var db = client.Open())
        {
            var error = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(proxy.Address, TcpPeer.Secret));
            Assert.Equal(ProtocolErrorCode.Closed, error.Code);
        }

        int kept;
        await using (var db = client.Open())
        {
            kept = await db.Items.CountAsync();
        }

        var batch = new LiblimProtocolLimits().BatchSize;
        Assert.InRange(kept, batch, 3000 - batch);
        Assert.Equal(0, kept % batch); // whole batches only

        await using (var db = client.Open())
        {
            var rest = await db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret);
            Assert.Equal(3000 - kept, rest.RowsReceived);
        }

        Assert.Equal(Snapshot.Of(server.Replica), Snapshot.Of(client));
    }
}
