using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Adoption;

/// <summary>
/// Rows a table held before it was replicated (or that another program wrote) are adopted: sent at the next sync, beaten
/// by any write made with replication on, and the same state wherever a copy of them is adopted.
/// </summary>
public abstract class ExistingRowsTests : ReplicaSuite
{
    public sealed class OnSqlite : ExistingRowsTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : ExistingRowsTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    public sealed class Mixed : ExistingRowsTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;

        protected override bool CopiesHashAlike => false;
    }

    /// <summary>Whether the two replicas of a test hash a copied row alike: they do when both are the same kind of database.</summary>
    protected virtual bool CopiesHashAlike => true;

    [Fact]
    public async Task Rows_stored_before_replication_reach_a_peer_at_the_first_sync_and_only_once()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        await RowsAroundLiblim.InsertAsync(a, RowsAroundLiblim.Items(300, seed: 1));
        await InsertAsync(a, new TodoItem { Id = Guid.NewGuid(), Title = "written with Liblim" }); // the first write adopts them

        var first = await SyncAsync(a, b);
        var second = await SyncAsync(a, b);

        Assert.Equal(301, first.RowsSent);
        Assert.Equal(0, second.RowsSent + second.RowsReceived);
        Assert.Equal(301, All(b).Count);
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }

    [Fact]
    public async Task Adopting_gives_each_row_without_metadata_a_position_once_and_leaves_the_others_alone()
    {
        using var a = NewReplica("a");
        var written = new TodoItem { Id = Guid.NewGuid(), Title = "written with Liblim" };
        await InsertAsync(a, written);
        await RowsAroundLiblim.InsertAsync(a, RowsAroundLiblim.Items(50, seed: 2));
        var before = ShadowRows.Row(a, "Items", written.Id);

        await using (var db = a.Open())
        {
            Assert.Equal(50, await db.Liblim().AdoptRowsAsync());
            Assert.Equal(0, await db.Liblim().AdoptRowsAsync());
        }

        await RowsAroundLiblim.InsertAsync(a, RowsAroundLiblim.Items(7, seed: 3));
        await using (var db = a.Open())
        {
            Assert.Equal(7, await db.Liblim().AdoptRowsAsync()); // rows another program wrote while the app ran
        }

        Assert.Equal(before, ShadowRows.Row(a, "Items", written.Id));
        using var b = NewReplica("b");
        Assert.Equal(58, (await SyncAsync(a, b)).RowsSent);
    }

    [Fact]
    public async Task In_a_table_with_rows_kept_in_liblims_own_table_only_the_rows_without_metadata_are_adopted()
    {
        using var a = NewReplica("a");
        var deleted = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = deleted, Title = "deleted" });
        await DeleteAsync(a, deleted); // its tombstone is a row of __liblim_rows: keys are told apart one chunk at a time
        await RowsAroundLiblim.InsertAsync(a, RowsAroundLiblim.Items(40, seed: 7));

        await using (var db = a.Open())
        {
            Assert.Equal(40, await db.Liblim().AdoptRowsAsync());
        }

        using var b = NewReplica("b");
        var sync = await SyncAsync(a, b);

        Assert.Equal(41, sync.RowsSent); // the 40 adopted rows and the deleted one's tombstone
        Assert.Equal(40, All(b).Count);
        Assert.Null(Find(b, deleted));
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }

    [Fact]
    public async Task A_table_with_a_composite_key_and_a_hierarchy_is_adopted_whole()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        await RowsAroundLiblim.InsertAsync<Shape>(a, [
            new Circle { Code = "c:1", Region = 1, Color = "red", Radius = 2.5 },
            new Square { Code = "c:1", Region = 2, Color = "blue", Side = 4 },
        ]);

        var sync = await SyncAsync(a, b);

        Assert.Equal(2, sync.RowsSent);
        Assert.Contains("circle c:1/1 red r=2.5", Snapshot.Of(b));
        Assert.Contains("square c:1/2 blue s=4", Snapshot.Of(b));
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }

    [Fact]
    public async Task A_write_made_with_replication_on_wins_over_an_adoption_made_later_on_another_replica()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var rows = RowsAroundLiblim.Items(10, seed: 4);
        await RowsAroundLiblim.InsertAsync(a, rows);
        await RowsAroundLiblim.InsertAsync(b, rows); // b holds a copy of the same rows

        await EditAsync(a, rows[0].Id, i => i.Title = "edited on a"); // adopts a's rows, then writes
        await using (var db = b.Open())
        {
            Assert.Equal(10, await db.Liblim().AdoptRowsAsync()); // later than a's edit
        }

        await SyncAsync(a, b);

        Assert.Equal("edited on a", Find(a, rows[0].Id)!.Title);
        Assert.Equal("edited on a", Find(b, rows[0].Id)!.Title);
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }

    [Fact]
    public async Task Copies_adopted_on_two_replicas_are_one_state_and_a_delete_on_either_holds_everywhere()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var rows = RowsAroundLiblim.Items(20, seed: 5);
        await RowsAroundLiblim.InsertAsync(a, rows);
        await RowsAroundLiblim.InsertAsync(b, rows);
        await DeleteAsync(b, rows[3].Id); // adopts b's copies first

        var sync = await SyncAsync(a, b);

        Assert.StartsWith("0", Clocks(a, rows[5].Id).Clock); // ticks below 2^56: before any write made with replication on
        if (CopiesHashAlike)
        {
            Assert.Null(Find(a, rows[3].Id));
            Assert.Null(Find(b, rows[3].Id));
            Assert.Equal(19, All(a).Count);
            Assert.Equal(1, sync.RowsApplied); // a took the delete; the other 19 copies were the same state on both
            Assert.Equal(0, sync.RowsAppliedByPeer);
            Assert.Equal(Clocks(a, rows[5].Id), Clocks(b, rows[5].Id));
        }
        else
        {
            // SQLite and PostgreSQL hash a copy differently: the two copies are two adds of one key, and b's delete saw
            // only its own; the row comes back from a, with nothing lost.
            Assert.NotNull(Find(b, rows[3].Id));
            Assert.Equal(20, All(b).Count);
        }

        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }

    [Fact]
    public async Task Rows_that_only_share_a_key_stay_two_adds_so_deleting_one_replicas_row_keeps_the_other()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await RowsAroundLiblim.InsertAsync(a, [new TodoItem { Id = id, Title = "a's own row" }]);
        await RowsAroundLiblim.InsertAsync(b, [new TodoItem { Id = id, Title = "b's own row", Priority = 2 }]);
        await DeleteAsync(a, id);

        await SyncAsync(a, b);

        var onA = Find(a, id);
        Assert.NotNull(onA); // b's row was never seen by a's delete: it stays
        Assert.Contains(onA.Title, new[] { "a's own row", "b's own row" });
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }

    [Fact]
    public async Task An_app_that_edits_and_deletes_rows_stored_before_replication_sends_whole_rows_and_the_deletes()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var rows = RowsAroundLiblim.Items(5, seed: 6);
        await RowsAroundLiblim.InsertAsync(a, rows);
        await RowsAroundLiblim.InsertAsync(b, rows);
        await using (var db = a.Open())
        {
            // Loaded before anything was adopted: the entities carry no metadata of Liblim's.
            var loaded = await db.Items.OrderBy(i => i.Id).ToListAsync();
            loaded.Single(i => i.Id == rows[0].Id).Title = "edited";
            db.Items.Remove(loaded.Single(i => i.Id == rows[1].Id));
            await db.SaveChangesAsync();
        }

        using var c = NewReplica("c");
        await SyncAsync(a, c);
        await SyncAsync(a, b);

        foreach (var other in new[] { b, c })
        {
            var edited = Find(other, rows[0].Id)!;
            Assert.Equal(("edited", rows[0].Done, rows[0].Priority, rows[0].Notes), (edited.Title, edited.Done, edited.Priority, edited.Notes));
        }

        Assert.Null(Find(c, rows[1].Id));
        Assert.Equal(4, All(c).Count);
        // b's own copy of the deleted row was the same add as a's where the two hash alike (Mixed: it stays, on both).
        Assert.Equal(CopiesHashAlike ? 4 : 5, All(b).Count);
        Assert.Equal(CopiesHashAlike, Find(b, rows[1].Id) is null);
    }

    private static (string Clock, string? AddTags, string? Tombstones, string? ColumnClocks) Clocks(IReplica replica, Guid id)
        => ShadowRows.Row(replica, "Items", id) is { } m ? (m.Clock, m.AddTags, m.Tombstones, m.ColumnClocks) : throw new InvalidOperationException("no metadata");
}
