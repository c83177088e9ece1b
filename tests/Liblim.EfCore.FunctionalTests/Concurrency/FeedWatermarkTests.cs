using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Concurrency;

/// <summary>
/// On PostgreSQL, writes draw their feed positions from a sequence and need not commit in the order they drew them. The
/// feed's head is then a watermark: no reader, and so no peer, is handed a position while a lower one may still commit.
/// </summary>
public class FeedWatermarkTests
{
    [Fact]
    public async Task A_transaction_that_has_drawn_a_position_holds_the_head_below_it_until_it_ends_and_no_peer_passes_it()
    {
        using var hub = new PostgresReplica("hub");
        using var device = new SqliteReplica("device");
        await InsertAsync(hub, new TodoItem { Id = Guid.NewGuid(), Title = "before" });
        var head = await HeadAsync(hub);

        await using var drawing = hub.Open();
        var transaction = await drawing.Database.BeginTransactionAsync();
        await using (transaction)
        {
            var drawn = (await drawing.GetService<StoreSession>().Shadow.DrawPositionsAsync(1, async: true, default)).Single();
            Assert.True(drawn > head);

            // Another writer draws the next position and commits it first.
            await InsertAsync(hub, new TodoItem { Id = Guid.NewGuid(), Title = "after" });
            Assert.Equal(head, await HeadAsync(hub));

            await SyncAsync(device, hub);
            Assert.Equal(["before"], All(device).Select(i => i.Title));
            Assert.Equal(head, await AppliedFromAsync(device, hub));

            await transaction.CommitAsync();
        }

        Assert.True(await HeadAsync(hub) > head);
        await SyncAsync(device, hub);
        Assert.Equal(["after", "before"], All(device).Select(i => i.Title).Order());
    }

    [Fact]
    public async Task A_SaveChanges_in_the_apps_open_transaction_after_a_sync_on_the_same_context_holds_the_head_below_its_rows()
    {
        using var hub = new PostgresReplica("hub");
        using var device = new SqliteReplica("device");
        await InsertAsync(device, new TodoItem { Id = Guid.NewGuid(), Title = "from the device" });
        await using var app = hub.Open();
        await using (var other = device.Open())
        {
            await app.Liblim().SyncWithAsync(other); // a group of batches held the feed on this context's connection
        }

        var head = await HeadAsync(hub);
        await using var transaction = await app.Database.BeginTransactionAsync(); // Npgsql's transaction object, reused
        app.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "not committed yet" });
        await app.SaveChangesAsync();
        Assert.Equal(head, await HeadAsync(hub)); // the sequence has moved past head; the hold keeps the head where it was

        await transaction.CommitAsync();
        Assert.True(await HeadAsync(hub) > head);
        using var reader = new SqliteReplica("reader");
        await SyncAsync(reader, hub);
        Assert.Equal(["from the device", "not committed yet"], All(reader).Select(i => i.Title).Order());
    }

    [Fact]
    public async Task A_new_hold_on_the_feed_never_moves_its_head_back()
    {
        using var hub = new PostgresReplica("hub");
        for (var i = 0; i < 3; i++)
        {
            await InsertAsync(hub, new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}" });
        }

        var head = await HeadAsync(hub);
        await using var holding = hub.Open();
        await using var transaction = await holding.Database.BeginTransactionAsync();
        await holding.GetService<StoreSession>().Shadow.HoldFeedAsync(async: true, default);

        Assert.Equal(head, await HeadAsync(hub));
        await InsertAsync(hub, new TodoItem { Id = Guid.NewGuid(), Title = "while held" });
        Assert.Equal(head, await HeadAsync(hub)); // drawn after the hold: above it, and held back by it
    }

    [Fact]
    public async Task A_database_whose_feed_was_counted_before_it_had_the_sequence_goes_on_past_its_head()
    {
        using var hub = new PostgresReplica("hub");
        using var device = new SqliteReplica("device");
        for (var i = 0; i < 3; i++)
        {
            await InsertAsync(hub, new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}" });
        }

        await SyncAsync(device, hub);
        var head = await HeadAsync(hub);

        // As the migration that adds the sequence leaves it: at its start, behind the state row's head.
        await using (var db = hub.Open())
        {
            await db.Database.ExecuteSqlRawAsync("SELECT setval('__liblim_positions', 1, false)");
            Assert.Equal(head, (await db.Liblim().GetStatusAsync()).Head);
        }

        // A process that has not written to this database yet (a service provider of its own) writes.
        await using (var db = new TodoDb(new DbContextOptionsBuilder<TodoDb>(hub.Options).EnableServiceProviderCaching(false).Options))
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "after the migration" });
            await db.SaveChangesAsync();
        }

        Assert.True(await HeadAsync(hub) > head);
        Assert.True(ShadowRows.Seqs(hub).Max() > head);
        await SyncAsync(device, hub);
        Assert.Contains("after the migration", All(device).Select(i => i.Title));
    }

    private static async Task<long> HeadAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return (await db.Liblim().GetStatusAsync()).Head;
    }

    private static async Task<long> AppliedFromAsync(IReplica replica, IReplica peer)
    {
        Guid node;
        await using (var db = peer.Open())
        {
            node = await db.Liblim().GetNodeIdAsync();
        }

        await using var local = replica.Open();
        return (await local.Liblim().GetStatusAsync()).Peers.Single(p => p.NodeId == node).Applied;
    }
}
