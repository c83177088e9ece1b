using Microsoft.EntityFrameworkCore;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Semantics;

/// <summary>Each line of docs/semantics.md, on real SQLite files.</summary>
public abstract class ConflictSemanticsTests : ReplicaSuite
{
    public sealed class OnSqlite : ConflictSemanticsTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : ConflictSemanticsTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : ConflictSemanticsTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_later_write_to_a_column_wins_whichever_replica_syncs_first(bool earlierFirst)
    {
        var time = new FixedTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        using var a = NewReplica("a", o => o.TimeProvider(time));
        using var b = NewReplica("b", o => o.TimeProvider(time));
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "start" });
        await SyncAsync(a, b);

        await EditAsync(a, id, i => i.Title = "earlier");
        time.Now = time.Now.AddSeconds(1);
        await EditAsync(b, id, i => i.Title = "later");
        if (earlierFirst) await SyncAsync(a, b); else await SyncAsync(b, a);

        Assert.Equal("later", Find(a, id)!.Title);
        Assert.Equal("later", Find(b, id)!.Title);
    }

    [Fact]
    public async Task Concurrent_edits_of_different_columns_of_a_row_both_survive()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "start" });
        await SyncAsync(a, b);

        await EditAsync(a, id, i => i.Title = "renamed on a");
        await EditAsync(b, id, i => { i.Done = true; i.Place = new Address { City = "Bergen" }; });
        await SyncAsync(a, b);

        foreach (var r in new[] { a, b })
        {
            var item = Find(r, id)!;
            Assert.Equal("renamed on a", item.Title);
            Assert.True(item.Done);
            Assert.Equal("Bergen", item.Place?.City);
        }
    }

    [Fact]
    public async Task An_edit_concurrent_with_a_delete_does_not_resurrect_the_row()
    {
        var time = new FixedTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        using var a = NewReplica("a", o => o.TimeProvider(time));
        using var b = NewReplica("b", o => o.TimeProvider(time));
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "start" });
        await SyncAsync(a, b);

        await DeleteAsync(a, id);
        time.Now = time.Now.AddSeconds(1);
        await EditAsync(b, id, i => i.Title = "edited after the delete, unaware of it");
        var editClocks = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(ShadowRows.Row(b, "Items", id)!.ColumnClocks!)!;
        Assert.True(HybridTimestamp.Parse(editClocks["Title"].Split('/')[0]).Ticks > ShadowRows.StateClock(a), "the edit is stamped later than any clock a had when it deleted");
        await SyncAsync(b, a);

        Assert.Null(Find(a, id));
        Assert.Null(Find(b, id));
    }

    [Fact]
    public async Task A_concurrent_insert_of_the_same_key_survives_a_delete()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "from a" });
        await InsertAsync(b, new TodoItem { Id = id, Title = "from b", Priority = 7 });
        await DeleteAsync(a, id); // tombstones only the insert a has seen
        await SyncAsync(a, b);

        var onA = Find(a, id);
        var onB = Find(b, id);
        Assert.NotNull(onA);
        Assert.Equal("from b", onA.Title);
        Assert.Equal(7, onA.Priority);
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }

    [Fact]
    public async Task A_row_deleted_everywhere_can_be_inserted_again()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "first life" });
        await SyncAsync(a, b);
        await DeleteAsync(b, id);
        await SyncAsync(a, b);
        Assert.Null(Find(a, id));

        await InsertAsync(a, new TodoItem { Id = id, Title = "second life" });
        await SyncAsync(a, b);

        Assert.Equal("second life", Find(b, id)!.Title);
    }

    [Fact]
    public async Task A_delete_on_one_replica_reaches_the_other()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "x" });
        await SyncAsync(a, b);
        await DeleteAsync(b, id);
        var result = await SyncAsync(a, b);

        Assert.Null(Find(a, id));
        Assert.Contains(result.Changed, c => c.Change == RowChange.Deleted && c.Key.Contains(id.ToString()));
    }

    [Fact]
    public async Task Merged_rows_keep_their_origin_clocks_and_are_not_echoed_as_local_changes()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "x" });
        await SyncAsync(a, b);

        var onA = ShadowRows.Row(a, "Items", id)!;
        var onB = ShadowRows.Row(b, "Items", id)!;
        Assert.Equal(onA.Clock, onB.Clock);
        Assert.Equal(onA.AddTags, onB.AddTags);
        await using var db = a.Open();
        Assert.Equal(HybridTimestamp.Parse(onA.Clock).Node, await db.Liblim().GetNodeIdAsync());
    }

    [Fact]
    public async Task Inherited_and_owned_types_replicate_in_their_one_table()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        await using (var db = a.Open())
        {
            db.Shapes.Add(new Circle { Code = "c", Region = 1, Color = "red", Radius = 1 });
            db.Shapes.Add(new Square { Code = "c", Region = 2, Color = "blue", Side = 2 });
            await db.SaveChangesAsync();
        }

        await SyncAsync(a, b);
        await using (var db = b.Open())
        {
            var square = db.Shapes.OfType<Square>().Single();
            square.Side = 5;
            await db.SaveChangesAsync();
        }

        await SyncAsync(a, b);
        Assert.Contains("square c/2 blue s=5", Snapshot.Of(a));
        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
    }
}
