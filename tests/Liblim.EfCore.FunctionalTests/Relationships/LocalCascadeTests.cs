using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>
/// A local delete whose dependents the database changes by itself (ON DELETE CASCADE, SET NULL), without EF tracking
/// them: Liblim records those changes too, so that they reach the other replicas.
/// </summary>
public abstract class LocalCascadeTests : RelationSuite
{
    public sealed class OnSqlite : LocalCascadeTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : LocalCascadeTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : LocalCascadeTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Rows_the_database_cascades_to_are_recorded_as_deleted_and_the_deletes_sync()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "week" });
            db.Todos.AddRange(Enumerable.Range(0, 3).Select(i => new Todo { Id = Guid.NewGuid(), ListId = list, Text = $"t{i}" }));
        });
        await SyncAsync(a, b);

        // Only the list is tracked: the database deletes its todos.
        await using (var db = a.Open())
        {
            db.Lists.Remove(await db.Lists.SingleAsync());
            await db.SaveChangesAsync();
        }

        await SyncAsync(a, b);

        Assert.Equal("", await ShownAsync(a));
        Assert.Equal("", await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertEveryLiveRowIsShownOrHeldBackAsync(b);
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_cascade_through_several_levels_is_recorded_whole()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var root = Guid.NewGuid();
        var child = Guid.NewGuid();
        var other = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Categories.Add(new Category { Id = root, Name = "root" });
            db.Categories.Add(new Category { Id = child, Name = "child", ParentId = root });
            db.Categories.Add(new Category { Id = Guid.NewGuid(), Name = "grandchild", ParentId = child });
            db.Categories.Add(new Category { Id = other, Name = "other" });
        });
        await SyncAsync(a, b);

        await SaveAsync(a, db => db.Categories.Remove(db.Categories.Find(root)!));
        await SyncAsync(a, b);

        Assert.Equal($"category {other} other parent=", await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertEveryLiveRowIsShownOrHeldBackAsync(b);
    }

    [Fact]
    public async Task A_reference_the_database_sets_null_is_recorded_as_written_and_syncs()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        var note = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "ideas" });
            db.Notes.Add(new Note { Id = note, ListId = list, Text = "n" });
        });
        await SyncAsync(a, b);

        await SaveAsync(a, db => db.Lists.Remove(db.Lists.Find(list)!));
        await SyncAsync(a, b);
        // The list comes back on b; the note stays detached, because its reference was cleared by a write, not projected.
        await SaveAsync(b, db => db.Lists.Add(new TodoList { Id = list, Title = "ideas again" }));

        Assert.Contains($"note {note} list= n", await ShownAsync(b));
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
    }

    [Fact]
    public async Task A_local_insert_under_a_missing_parent_fails_as_plain_EF_and_records_nothing()
    {
        using var a = NewRelationReplica("a");
        await using (var db = a.Open())
        {
            db.Todos.Add(new Todo { Id = Guid.NewGuid(), ListId = Guid.NewGuid(), Text = "orphan" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        await using (var db = a.Open())
        {
            Assert.Equal(0, await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM __liblim_rows").SingleAsync());
        }
    }
}
