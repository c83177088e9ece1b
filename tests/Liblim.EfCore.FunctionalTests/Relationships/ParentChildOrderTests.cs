using Liblim.EfCore.FunctionalTests.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>Parents and children arrive in any order, in one batch or several: nothing fails, nothing is lost.</summary>
public abstract class ParentChildOrderTests : RelationSuite
{
    public sealed class OnSqlite : ParentChildOrderTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : ParentChildOrderTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : ParentChildOrderTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Parents_and_children_in_one_batch_apply_whatever_their_order()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        var todos = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "groceries" });
            db.Todos.AddRange(todos.Select((t, i) => new Todo { Id = t, ListId = list, Text = $"item {i}" }));
        });
        // The list changes last, so that it comes after its todos in the change feed.
        await SaveAsync(a, db => db.Lists.Find(list)!.Title = "shopping");

        var result = await SyncAsync(b, a);

        Assert.Equal(6, result.RowsApplied);
        Assert.Empty(result.HeldBack);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Contains("shopping", await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_child_that_arrives_before_its_parent_is_held_back_and_appears_with_it()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        var todo = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "chores" });
            db.Todos.Add(new Todo { Id = todo, ListId = list, Text = "dishes" });
        });

        await PushAsync(a, b, Table("Todos"));

        Assert.Null(await FindAsync<Todo>(b, todo));
        var held = Assert.Single(await HeldAsync(b));
        Assert.Equal(("Todos", Key(todo), HoldBackReason.MissingParent, "Lists", Key(list)), (held.Table, held.Key, held.Reason, held.RelatedTable, held.RelatedKey));
        Assert.Equal("\"dishes\"", held.Values["Text"]);
        await AssertConstraintsHoldAsync(b);

        await PushAsync(a, b, Table("Lists"));

        Assert.Equal("dishes", (await FindAsync<Todo>(b, todo))?.Text);
        Assert.Empty(await HeldAsync(b));
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_chain_of_rows_that_arrive_one_by_one_children_first_appears_whole_at_the_root()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        await SaveAsync(a, db =>
        {
            for (var i = 0; i < ids.Count; i++)
            {
                db.Categories.Add(new Category { Id = ids[i], Name = $"level {i}", ParentId = i == 0 ? null : ids[i - 1] });
            }
        });

        // Deepest first, one batch each: every one waits for the one above it.
        foreach (var id in ids.Skip(1).Reverse())
        {
            await PushAsync(a, b, s => s.Key == Key(id));
        }

        var held = await HeldAsync(b);
        Assert.True(3 == held.Count, await ShownAsync(b) + "\n---\n" + await HeldTextAsync(b));
        Assert.Equal(HoldBackReason.MissingParent, held.Single(h => h.Key == Key(ids[1])).Reason);
        Assert.All(held.Where(h => h.Key != Key(ids[1])), h => Assert.Equal(HoldBackReason.ParentHeldBack, h.Reason));

        await PushAsync(a, b, s => s.Key == Key(ids[0]));

        Assert.Empty(await HeldAsync(b));
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_two_row_cycle_of_references_is_shown_on_every_replica()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var x = Guid.NewGuid();
        var y = Guid.NewGuid();
        await SaveAsync(a, db => db.Categories.Add(new Category { Id = x, Name = "x" }));
        await SaveAsync(a, db => db.Categories.Add(new Category { Id = y, Name = "y", ParentId = x }));
        await SaveAsync(a, db => db.Categories.Find(x)!.ParentId = y);

        await SyncAsync(b, a);

        Assert.Contains($"category {x} x parent={y}", await ShownAsync(b));
        Assert.Contains($"category {y} y parent={x}", await ShownAsync(b));
        await AssertConstraintsHoldAsync(b);

        // Deleting one deletes the other through the cycle (ON DELETE CASCADE), here and on the peer.
        await SaveAsync(a, db => db.Categories.Remove(db.Categories.Find(x)!));
        await SyncAsync(b, a);

        Assert.Equal("", await ShownAsync(a));
        Assert.Equal("", await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_two_row_cycle_that_arrives_row_by_row_appears_when_it_is_complete()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var x = Guid.NewGuid();
        var y = Guid.NewGuid();
        await SaveAsync(a, db => db.Categories.Add(new Category { Id = x, Name = "x" }));
        await SaveAsync(a, db => db.Categories.Add(new Category { Id = y, Name = "y", ParentId = x }));
        await SaveAsync(a, db => db.Categories.Find(x)!.ParentId = y);

        await PushAsync(a, b, s => s.Key == Key(x));
        Assert.Equal(HoldBackReason.MissingParent, Assert.Single(await HeldAsync(b)).Reason);

        await PushAsync(a, b, s => s.Key == Key(y));

        Assert.Empty(await HeldAsync(b));
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_cycle_of_references_across_two_tables_in_one_batch_is_written_and_a_delete_through_it_syncs()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        var todo = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "pins" });
            db.Todos.Add(new Todo { Id = todo, ListId = list, Text = "pinned one" });
        });
        await SaveAsync(a, db => db.Lists.Find(list)!.PinnedTodoId = todo);

        await SyncAsync(b, a);

        Assert.Contains($"list {list} pins owner= pinned={todo}", await ShownAsync(b));
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        await AssertConstraintsHoldAsync(b);

        // The todo deleted on a: the database clears the pin there, and Liblim records it.
        await SaveAsync(a, db => db.Todos.Remove(db.Todos.Find(todo)!));
        await SyncAsync(b, a);

        Assert.Equal($"list {list} pins owner= pinned=", await ShownAsync(b));
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(b);
    }
}
