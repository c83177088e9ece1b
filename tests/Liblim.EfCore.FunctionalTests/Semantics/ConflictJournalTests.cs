using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Liblim.EfCore.FunctionalTests.Model;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Semantics;

/// <summary>
/// The conflict journal (docs/semantics.md, "Conflicts"): each replica that decides a column between two values written
/// concurrently keeps the value that lost, with both writers and times; later edits are no conflicts.
/// </summary>
public abstract class ConflictJournalTests : ReplicaSuite
{
    public sealed class OnSqlite : ConflictJournalTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : ConflictJournalTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : ConflictJournalTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private readonly FixedTime _time = new(DateTimeOffset.Parse("2026-03-01T09:00:00Z"));

    private IReplica Replica(string name, Action<LiblimOptionsBuilder>? configure = null)
        => NewReplica(name, o => { o.TimeProvider(_time); configure?.Invoke(o); });

    private static async Task<IReadOnlyList<LiblimConflict>> ConflictsAsync(IReplica replica, ConflictQuery? query = null)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetConflictsAsync(query);
    }

    private static async Task<Guid> NodeAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }

    /// <summary>Two devices and a hub that both synced a row; each device then edits its title offline, b a second later.</summary>
    private async Task<(IReplica A, IReplica Hub, IReplica B, Guid Id)> EditedOfflineOnBothAsync()
    {
        var a = Replica("a");
        var hub = Replica("hub");
        var b = Replica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "milk", Priority = 1 });
        await SyncAsync(a, hub);
        await SyncAsync(b, hub);

        _time.Now = _time.Now.AddMinutes(1);
        await EditAsync(a, id, i => i.Title = "oat milk");
        _time.Now = _time.Now.AddSeconds(1);
        await EditAsync(b, id, i => i.Title = "soy milk");
        return (a, hub, b, id);
    }

    [Fact]
    public async Task Two_offline_edits_of_a_column_leave_the_losing_value_in_the_journal_of_each_replica_that_decided_it()
    {
        var (a, hub, b, id) = await EditedOfflineOnBothAsync();
        using var _a = a;
        using var _hub = hub;
        using var _b = b;
        await SyncAsync(a, hub); // the hub takes a's edit: a later edit of what it held, no conflict
        Assert.Empty(await ConflictsAsync(hub));
        _time.Now = _time.Now.AddSeconds(5);
        await SyncAsync(b, hub); // the hub decides: b's later edit wins over a's, which b never saw
        var atA = await SyncAsync(a, hub); // a decides the same for its own copy
        await SyncAsync(b, hub);

        Assert.Equal(1, atA.Conflicts);
        Assert.EndsWith("; 1 conflict journaled", atA.ToString());

        var onHub = Assert.Single(await ConflictsAsync(hub));
        var onA = Assert.Single(await ConflictsAsync(a));
        Assert.Empty(await ConflictsAsync(b)); // b never held a's value: nothing was decided there
        foreach (var conflict in new[] { onHub, onA })
        {
            Assert.Equal(typeof(TodoItem), conflict.EntityType);
            Assert.Equal(id, conflict.GetKey<Guid>());
            Assert.Equal(nameof(TodoItem.Title), conflict.Property);
            Assert.Equal(("soy milk", await NodeAsync(b)), (conflict.Winner!.Value, conflict.Winner!.Node));
            Assert.Equal(("oat milk", await NodeAsync(a)), (conflict.Loser.Value, conflict.Loser.Node));
            Assert.Equal(DateTimeOffset.Parse("2026-03-01T09:01:01Z"), conflict.Winner!.WrittenAt);
            Assert.Equal(DateTimeOffset.Parse("2026-03-01T09:01:00Z"), conflict.Loser.WrittenAt);
            Assert.Equal(_time.Now, conflict.DecidedAt);
            Assert.Contains("\"soy milk\"", conflict.ToString());
        }

        Assert.Equal((onHub.Winner, onHub.Loser, onHub.KeyText), (onA.Winner, onA.Loser, onA.KeyText)); // the same decision, wherever made
        await using var db = hub.Open();
        Assert.Equal(1, (await db.Liblim().GetStatusAsync()).Conflicts);
        Assert.All(new[] { a, hub, b }, r => Assert.Equal("soy milk", Find(r, id)!.Title));
    }

    [Fact]
    public async Task Edits_made_over_a_synced_value_and_edits_of_different_columns_are_no_conflicts()
    {
        using var a = Replica("a");
        using var b = Replica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "milk" });
        await SyncAsync(a, b);

        _time.Now = _time.Now.AddMinutes(1);
        await EditAsync(a, id, i => i.Title = "oat milk");
        await SyncAsync(a, b);
        _time.Now = _time.Now.AddMinutes(1);
        await EditAsync(b, id, i => i.Title = "soy milk"); // over a's edit, which b has
        await EditAsync(a, id, i => i.Done = true); // another column, concurrently
        await SyncAsync(a, b);

        Assert.Empty(await ConflictsAsync(a));
        Assert.Empty(await ConflictsAsync(b));
        Assert.Equal(("soy milk", true), (Find(a, id)!.Title, Find(a, id)!.Done));
    }

    [Fact]
    public async Task A_lost_write_that_arrives_again_through_another_peer_is_journaled_once()
    {
        using var a = Replica("a");
        using var b = Replica("b");
        using var c = Replica("c");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "milk" });
        await SyncAsync(a, b);
        await SyncAsync(a, c);

        _time.Now = _time.Now.AddMinutes(1);
        await EditAsync(a, id, i => i.Title = "oat milk");
        _time.Now = _time.Now.AddSeconds(1);
        await EditAsync(c, id, i => i.Title = "soy milk");
        await SyncAsync(a, b); // b takes a's edit, a later edit of what it held
        await SyncAsync(a, c); // c decides: its own edit wins over a's
        await SyncAsync(b, c); // a's edit again, from b

        var conflict = Assert.Single(await ConflictsAsync(c));
        Assert.Equal(("soy milk", "oat milk"), (conflict.Winner!.Value, conflict.Loser.Value));
        Assert.All(new[] { a, b, c }, r => Assert.Equal("soy milk", Find(r, id)!.Title));
    }

    [Fact]
    public async Task Two_inserts_of_the_same_key_record_the_columns_where_their_values_differ_on_both_replicas()
    {
        using var a = Replica("a");
        using var b = Replica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "from a", Priority = 2 });
        _time.Now = _time.Now.AddSeconds(1);
        await InsertAsync(b, new TodoItem { Id = id, Title = "from b", Priority = 2 });
        await SyncAsync(a, b);

        foreach (var replica in new[] { a, b })
        {
            var conflict = Assert.Single(await ConflictsAsync(replica)); // Priority is the same on both
            Assert.Equal((nameof(TodoItem.Title), "from b", "from a"), (conflict.Property, conflict.Winner!.Value, conflict.Loser.Value));
        }
    }

    [Fact]
    public async Task An_edit_made_offline_while_another_device_deleted_the_row_is_journaled_as_lost_to_the_delete_where_the_two_met()
    {
        using var a = Replica("a");
        using var hub = Replica("hub");
        using var b = Replica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "milk" });
        await SyncAsync(a, hub);
        await SyncAsync(b, hub);

        _time.Now = _time.Now.AddMinutes(1);
        await DeleteAsync(a, id);
        _time.Now = _time.Now.AddSeconds(1);
        await EditAsync(b, id, i => i.Title = "oat milk"); // later, but without having seen the delete
        await SyncAsync(a, hub);
        var atHub = await SyncAsync(b, hub); // the hub, holding the delete, meets the edit
        await SyncAsync(a, hub);

        Assert.All(new[] { a, hub, b }, r => Assert.Null(Find(r, id)));
        var conflict = Assert.Single(await ConflictsAsync(hub));
        Assert.True(conflict.LostToDelete);
        Assert.Null(conflict.Winner);
        Assert.Equal((nameof(TodoItem.Title), "oat milk", await NodeAsync(b)), (conflict.Property, conflict.Loser.Value, conflict.Loser.Node));
        Assert.Contains("the row's delete won over \"oat milk\"", conflict.ToString());
        Assert.Equal(0, atHub.Conflicts); // counted on the side that decided it: the hub, the server of that session
        Assert.Empty(await ConflictsAsync(a)); // a and b get the deleted row with the edit in it: nothing to decide there
        Assert.Empty(await ConflictsAsync(b));
    }

    [Fact]
    public async Task The_deleting_device_journals_an_edit_that_reaches_it_alone_as_a_delta_as_lost_to_its_delete()
    {
        using var a = Replica("a");
        using var b = Replica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "milk" });
        await SyncAsync(a, b);
        await DeleteAsync(a, id);
        await EditAsync(b, id, i => i.Title = "oat milk"); // one update since a's last sync with b: it goes to a as a delta
        await SyncAsync(b, a);

        var conflict = Assert.Single(await ConflictsAsync(a));
        Assert.Equal((true, "oat milk"), (conflict.LostToDelete, conflict.Loser.Value));
        Assert.Null(Find(a, id));
        Assert.Null(Find(b, id));
    }

    [Fact]
    public async Task A_save_over_a_value_a_sync_merged_in_after_the_entity_was_loaded_journals_that_value_as_lost()
    {
        using var a = Replica("a");
        using var b = Replica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "milk", Priority = 1 });
        await SyncAsync(a, b);

        await using var screen = a.Open(); // an app's context that loaded the item before the sync
        var item = await screen.Items.SingleAsync(i => i.Id == id);
        _time.Now = _time.Now.AddMinutes(1);
        await EditAsync(b, id, i => { i.Title = "soy milk"; i.Notes = "from b"; });
        await SyncAsync(b, a); // a's row now holds b's title, which the loaded entity does not show
        Assert.Empty(await ConflictsAsync(a));

        _time.Now = _time.Now.AddMinutes(1);
        item.Title = "oat milk"; // over "milk", as the user saw it
        await screen.SaveChangesAsync();
        var conflict = Assert.Single(await ConflictsAsync(a));
        Assert.Equal((nameof(TodoItem.Title), "oat milk", "soy milk"), (conflict.Property, conflict.Winner!.Value, conflict.Loser.Value));
        Assert.Equal((await NodeAsync(a), await NodeAsync(b)), (conflict.Winner.Node, conflict.Loser.Node));

        // Saved again through the same context, over its own earlier save: no new conflict; nor a column b did not write.
        item.Title = "oat milk, 2 litres";
        item.Priority = 2;
        await screen.SaveChangesAsync();
        Assert.Single(await ConflictsAsync(a));
        await SyncAsync(b, a);
        Assert.Equal(("oat milk, 2 litres", "from b"), (Find(b, id)!.Title, Find(b, id)!.Notes));
    }

    [Fact]
    public async Task Restoring_a_conflict_writes_the_losing_value_back_as_a_later_write_that_every_replica_takes_without_a_new_conflict()
    {
        var (a, hub, b, id) = await EditedOfflineOnBothAsync();
        using var _a = a;
        using var _hub = hub;
        using var _b = b;
        await SyncAsync(a, hub);
        await SyncAsync(b, hub);
        await SyncAsync(a, hub);
        var conflict = Assert.Single(await ConflictsAsync(a));

        _time.Now = _time.Now.AddMinutes(1);
        await using (var db = a.Open())
        {
            await db.Liblim().RestoreAsync(conflict);
        }

        await SyncAsync(a, hub);
        await SyncAsync(b, hub);
        Assert.All(new[] { a, hub, b }, r => Assert.Equal("oat milk", Find(r, id)!.Title));
        Assert.Single(await ConflictsAsync(a));
        Assert.Single(await ConflictsAsync(hub));
        Assert.Empty(await ConflictsAsync(b));

        await DeleteAsync(a, id);
        await using var deleted = a.Open();
        var refused = await Assert.ThrowsAsync<LiblimException>(() => deleted.Liblim().RestoreAsync(conflict));
        Assert.Contains("is deleted", refused.Message);
    }

    [Fact]
    public async Task The_journal_keeps_the_latest_conflicts_its_count_and_age_allow_and_pages_them_newest_first()
    {
        using var a = Replica("a", o => o.KeepConflicts(3, TimeSpan.FromHours(1)));
        using var b = Replica("b");
        var ids = new List<Guid>();
        for (var n = 0; n < 5; n++)
        {
            var id = Guid.NewGuid();
            ids.Add(id);
            await InsertAsync(a, new TodoItem { Id = id, Title = $"a {n}" });
            _time.Now = _time.Now.AddSeconds(1); // b's inserts come later: b's titles win
            await InsertAsync(b, new TodoItem { Id = id, Title = $"b {n}" });
            _time.Now = _time.Now.AddMinutes(1);
        }

        await SyncAsync(a, b);
        var kept = await ConflictsAsync(a);
        Assert.Equal(3, kept.Count);
        Assert.Equal(5, (await ConflictsAsync(b)).Count);

        var page = await ConflictsAsync(b, new ConflictQuery { Skip = 1, Take = 2 });
        Assert.Equal([.. (await ConflictsAsync(b)).Skip(1).Take(2).Select(c => c.KeyText)], page.Select(c => c.KeyText));
        var one = Assert.Single(await ConflictsAsync(b, new ConflictQuery { EntityType = typeof(TodoItem), Key = ids[2] }));
        Assert.Equal(("b 2", "a 2"), (one.Winner!.Value, one.Loser.Value));
        Assert.Empty(await ConflictsAsync(b, new ConflictQuery { Since = _time.Now.AddSeconds(1) }));

        // Two hours on, one more conflict: those older than an hour leave a's journal.
        _time.Now = _time.Now.AddHours(2);
        var late = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = late, Title = "a late" });
        _time.Now = _time.Now.AddSeconds(1);
        await InsertAsync(b, new TodoItem { Id = late, Title = "b late" });
        await SyncAsync(a, b);
        Assert.Equal(late, Assert.Single(await ConflictsAsync(a)).GetKey<Guid>());
    }
}
