using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>
/// A child added on one replica while its parent is deleted on another, for each OnDelete behaviour: the child is
/// never lost, every replica ends the same, and no constraint is broken.
/// </summary>
public abstract class ConcurrentDeleteTests : RelationSuite
{
    public sealed class OnSqlite : ConcurrentDeleteTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : ConcurrentDeleteTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : ConcurrentDeleteTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Cascade_deletes_the_children_the_deleting_replica_knew_and_holds_back_a_concurrent_one_until_the_parent_returns()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        var known = Guid.NewGuid();
        var added = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "trip" });
            db.Todos.Add(new Todo { Id = known, ListId = list, Text = "tickets" });
        });
        await SyncAsync(a, b);

        await SaveAsync(a, db => db.Lists.Remove(db.Lists.Find(list)!));
        await SaveAsync(b, db => db.Todos.Add(new Todo { Id = added, ListId = list, Text = "passport" }));
        var result = await SyncAsync(b, a);

        Assert.Equal("", await ShownAsync(a));
        Assert.Equal("", await ShownAsync(b));
        var held = Assert.Single(result.HeldBack);
        Assert.Equal((Key(added), HoldBackReason.DeletedParent, Key(list)), (held.Key, held.Reason, held.RelatedKey));
        Assert.Contains(result.Changed, c => c.Key == Key(added) && c.Change == RowChange.HeldBack);
        Assert.Equal(await HeldTextAsync(a), await HeldTextAsync(b));
        Assert.Equal($"Todos {Key(added)} DeletedParent Lists {Key(list)} ", await HeldTextAsync(a));
        await AssertConstraintsHoldAsync(a);
        await AssertConstraintsHoldAsync(b);

        // The list inserted again (same key) brings the held todo back; the deleted one stays deleted.
        await SaveAsync(a, db => db.Lists.Add(new TodoList { Id = list, Title = "trip again" }));
        await SyncAsync(b, a);

        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Contains($"todo {added} list={list} passport", await ShownAsync(a));
        Assert.DoesNotContain(known.ToString(), await ShownAsync(a));
        Assert.Empty(await HeldAsync(a));
        Assert.Empty(await HeldAsync(b));
    }

    [Fact]
    public async Task Restrict_refuses_a_local_delete_while_lines_exist_and_holds_back_a_line_added_concurrently()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var order = Guid.NewGuid();
        var line = Guid.NewGuid();
        var added = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Orders.Add(new Order { Id = order, Number = "A-1" });
            db.Lines.Add(new OrderLine { Id = line, OrderId = order, Product = "tea" });
        });
        await SyncAsync(a, b);

        // Locally, as plain EF and the database do: the order cannot go while it has lines, and nothing is recorded.
        await using (var db = a.Open())
        {
            db.Orders.Remove(await db.Orders.SingleAsync(o => o.Id == order));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        await SaveAsync(a, db => db.Lines.Remove(db.Lines.Find(line)!));
        await SaveAsync(a, db => db.Orders.Remove(db.Orders.Find(order)!));
        await SaveAsync(b, db => db.Lines.Add(new OrderLine { Id = added, OrderId = order, Product = "milk" }));
        await SyncAsync(a, b);

        Assert.Equal("", await ShownAsync(a));
        Assert.Equal("", await ShownAsync(b));
        Assert.Equal($"Lines {Key(added)} DeletedParent Orders {Key(order)} ", await HeldTextAsync(a));
        Assert.Equal(await HeldTextAsync(a), await HeldTextAsync(b));
        await AssertConstraintsHoldAsync(a);
        await AssertConstraintsHoldAsync(b);
        await AssertEveryLiveRowIsShownOrHeldBackAsync(a);
    }

    [Fact]
    public async Task SetNull_clears_the_children_the_deleting_replica_knew_and_shows_a_concurrent_one_with_a_null_reference_until_the_parent_returns()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        using var c = NewRelationReplica("c");
        var list = Guid.NewGuid();
        var known = Guid.NewGuid();
        var added = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "ideas" });
            db.Notes.Add(new Note { Id = known, ListId = list, Text = "old" });
        });
        await SyncAsync(a, b);

        await SaveAsync(a, db => db.Lists.Remove(db.Lists.Find(list)!));
        await SaveAsync(b, db => db.Notes.Add(new Note { Id = added, ListId = list, Text = "new" }));
        await SyncAsync(a, b);

        var shown = await ShownAsync(a);
        Assert.Equal(shown, await ShownAsync(b));
        Assert.Contains($"note {known} list= old", shown);
        Assert.Contains($"note {added} list= new", shown);
        Assert.Empty(await HeldAsync(a));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(a);
        await AssertConstraintsHoldAsync(b);

        // The shown null is a projection: the replicated value still names the list, and syncs as such.
        await SyncAsync(c, b);
        Assert.Equal(shown, await ShownAsync(c));
        await SaveAsync(c, db => db.Lists.Add(new TodoList { Id = list, Title = "ideas again" }));
        Assert.Contains($"note {added} list={list} new", await ShownAsync(c));
        Assert.Contains($"note {known} list= old", await ShownAsync(c));
        await SyncAsync(c, a);
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(c), await ShownAsync(a));
        Assert.Equal(await ShownAsync(c), await ShownAsync(b));
        await AssertConstraintsHoldAsync(c);
    }

    [Fact]
    public async Task A_child_moved_to_a_parent_deleted_elsewhere_is_held_back_and_moving_it_back_shows_it()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var home = Guid.NewGuid();
        var work = Guid.NewGuid();
        var todo = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.AddRange(new TodoList { Id = home, Title = "home" }, new TodoList { Id = work, Title = "work" });
            db.Todos.Add(new Todo { Id = todo, ListId = home, Text = "call" });
        });
        await SyncAsync(a, b);

        await SaveAsync(a, db => db.Lists.Remove(db.Lists.Find(work)!));
        await SaveAsync(b, db => db.Todos.Find(todo)!.ListId = work);
        await SyncAsync(a, b);

        Assert.DoesNotContain("todo", await ShownAsync(a));
        Assert.Equal($"Todos {Key(todo)} DeletedParent Lists {Key(work)} ", await HeldTextAsync(b));
        Assert.Equal(await HeldTextAsync(a), await HeldTextAsync(b));

        await using (var db = a.Open())
        {
            var row = Assert.Single(await db.Liblim().GetHeldBackRowsAsync());
            await db.Liblim().UpdateHeldBackAsync(row, new Dictionary<string, object?> { [nameof(Todo.ListId)] = home });
        }

        Assert.Contains($"todo {todo} list={home} call", await ShownAsync(a));
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(b);
    }
}
