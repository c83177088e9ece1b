using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using static Liblim.EfCore.FunctionalTests.Concurrency.ConcurrentHub;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Concurrency;

/// <summary>
/// On PostgreSQL, groups of peers' batches of tables that no foreign key or unique index ties to other rows apply
/// concurrently: neither waits for the other's commit unless both write one row, and what they leave is what applying
/// them one after the other leaves. Every other write waits for them, and they for it.
/// </summary>
public class ConcurrentApplyTests
{
    [Fact]
    public async Task Two_groups_of_different_rows_apply_at_once_and_the_feed_hands_out_neither_before_both_end()
    {
        using var hub = await CaughtUpHubAsync();
        using var a = new SqliteReplica("a");
        using var b = new SqliteReplica("b");
        using var reader = new SqliteReplica("reader");
        // Both peers known to the hub already: a group that numbers a node seen for the first time holds the numbering
        // until it commits, and a second new node waits for it.
        var (sinceA, sinceB) = (await KnownAsync(a, hub), await KnownAsync(b, hub));
        await InsertAsync(a, new TodoItem { Id = Guid.NewGuid(), Title = "from a" });
        await InsertAsync(b, new TodoItem { Id = Guid.NewGuid(), Title = "from b" });

        await using var first = Group(hub);
        await first.ApplyAsync(await BatchOfAsync(a, sinceA), default); // applied, not committed
        await using (var second = Group(hub))
        {
            // Under one lock for all writers this would wait for the first group's commit.
            await second.ApplyAsync(await BatchOfAsync(b, sinceB), default).WaitAsync(Blocked);
            await second.CommitAsync(default).WaitAsync(Blocked);
        }

        // The second group's row is committed, but the first group drew a lower position and is still open.
        Assert.Contains("from b", Titles(hub));
        await SyncAsync(reader, hub);
        Assert.DoesNotContain("from b", Titles(reader));

        await first.CommitAsync(default);
        await SyncAsync(reader, hub);
        Assert.Equal(["a before", "b before", "from a", "from b"], Titles(reader));
    }

    [Fact]
    public async Task A_group_that_numbers_a_node_seen_for_the_first_time_commits_after_that_batch_so_that_others_can_number_theirs()
    {
        using var hub = await CaughtUpHubAsync();
        using var a = new SqliteReplica("a");
        using var b = new SqliteReplica("b");
        await InsertAsync(a, new TodoItem { Id = Guid.NewGuid(), Title = "from a" });
        await InsertAsync(b, new TodoItem { Id = Guid.NewGuid(), Title = "from b" });

        await using var first = Group(hub);
        await first.ApplyAsync(await BatchOfAsync(a), default);
        Assert.Contains("from a", Titles(hub)); // committed with its batch
        await using var second = Group(hub);
        await second.ApplyAsync(await BatchOfAsync(b), default).WaitAsync(Blocked);
        Assert.Equal(["from a", "from b"], Titles(hub));
    }

    [Fact]
    public async Task Two_groups_that_write_one_row_at_once_leave_it_as_applying_them_in_turn_does()
    {
        using var hub = await CaughtUpHubAsync();
        using var inTurn = await CaughtUpHubAsync();
        using var a = new SqliteReplica("a");
        using var b = new SqliteReplica("b");
        var shared = Guid.NewGuid();
        var inserted = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = shared, Title = "shared" });
        await SyncAsync(a, b);
        await EditAsync(a, shared, i => i.Title = "title from a");
        await EditAsync(b, shared, i => i.Priority = 7);
        // One key inserted on both, as new to the hub: the second insert of it fails, and its batch goes again.
        await InsertAsync(a, new TodoItem { Id = inserted, Title = "inserted on a", Done = true });
        await InsertAsync(b, new TodoItem { Id = inserted, Title = "inserted on b", Priority = 3 });
        var (fromA, fromB) = (await BatchOfAsync(a), await BatchOfAsync(b));

        await using (var first = Group(hub))
        await using (var second = Group(hub))
        {
            await first.ApplyAsync(fromA, default);
            var waiting = second.ApplyAsync(fromB, default); // waits for the rows the first group holds
            await first.CommitAsync(default);
            await waiting.WaitAsync(Blocked);
            await second.CommitAsync(default);
        }

        await using (var first = Group(inTurn))
        {
            await first.ApplyAsync(fromA, default);
            await first.CommitAsync(default);
        }

        await using (var second = Group(inTurn))
        {
            await second.ApplyAsync(fromB, default);
            await second.CommitAsync(default);
        }

        Assert.Equal(Snapshot.Of(inTurn), Snapshot.Of(hub));
        Assert.Contains($"title=title from a done=False prio=7", Snapshot.Of(hub));
        await SyncAsync(a, hub);
        await SyncAsync(b, hub);
        Assert.Equal(Snapshot.Of(hub), Snapshot.Of(a));
        Assert.Equal(Snapshot.Of(hub), Snapshot.Of(b));
    }

    [Fact]
    public async Task A_save_of_the_app_waits_for_a_concurrent_group_and_neither_loses_the_others_write()
    {
        using var hub = await CaughtUpHubAsync();
        using var device = new SqliteReplica("device");
        var id = Guid.NewGuid();
        await InsertAsync(hub, new TodoItem { Id = id, Title = "on the hub" });
        var since = await KnownAsync(device, hub);
        await EditAsync(device, id, i => i.Title = "edited on the device");

        await using var group = Group(hub);
        await group.ApplyAsync(await BatchOfAsync(device, since), default);
        var saving = EditAsync(hub, id, i => i.Priority = 9); // the app's SaveChanges: it waits for the group
        await WaitUntilWaitingAsync(hub);
        Assert.False(saving.IsCompleted);
        await group.CommitAsync(default);
        await saving.WaitAsync(Blocked);

        var item = Find(hub, id)!;
        Assert.Equal(("edited on the device", 9), (item.Title, item.Priority));
    }

    [Fact]
    public async Task A_batch_that_deletes_a_row_new_here_goes_under_the_lock_after_the_concurrent_groups()
    {
        using var hub = await CaughtUpHubAsync();
        using var a = new SqliteReplica("a");
        using var b = new SqliteReplica("b");
        var gone = Guid.NewGuid();
        var (sinceA, sinceB) = (await KnownAsync(a, hub), await KnownAsync(b, hub));
        await InsertAsync(a, new TodoItem { Id = Guid.NewGuid(), Title = "from a" });
        await InsertAsync(b, new TodoItem { Id = gone, Title = "deleted before it was synced" });
        await DeleteAsync(b, gone);

        await using var first = Group(hub);
        await first.ApplyAsync(await BatchOfAsync(a, sinceA), default);
        await using var second = Group(hub);
        var waiting = second.ApplyAsync(await BatchOfAsync(b, sinceB), default);
        await WaitUntilWaitingAsync(hub);
        Assert.False(waiting.IsCompleted);
        await first.CommitAsync(default);
        await waiting.WaitAsync(Blocked);
        await second.CommitAsync(default);

        using var reader = new SqliteReplica("reader");
        await SyncAsync(reader, b);
        await SyncAsync(reader, hub);
        Assert.Equal(["a before", "b before", "from a"], Titles(reader));
        Assert.Null(Find(hub, gone));
    }
}
