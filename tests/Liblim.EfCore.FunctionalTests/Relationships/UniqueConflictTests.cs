using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>
/// Two replicas insert different rows with the same unique value: the sync succeeds, one row keeps the value on every
/// replica (by the entity's policy), the other is held back with all its values and reported, and it can be resolved.
/// </summary>
public abstract class UniqueConflictTests : RelationSuite
{
    public sealed class OnSqlite : UniqueConflictTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : UniqueConflictTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : UniqueConflictTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private static async Task<(RelationReplica A, RelationReplica B, Guid First, Guid Second)> TwoUsersNamedAnnAsync(Func<string, RelationReplica> create)
    {
        // The replicas share the suite's clock, so a's insert is the earlier one (in one real millisecond, node ids would
        // order them and either could keep the name).
        var a = create("a");
        var b = create("b");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await SaveAsync(a, db => db.Users.Add(new User { Id = first, Name = "ann", Email = "ann@a" }));
        await SaveAsync(b, db => db.Users.Add(new User { Id = second, Name = "ann", Email = "ann@b" }));
        return (a, b, first, second);
    }

    [Fact]
    public async Task KeepEarliest_the_row_inserted_first_keeps_the_value_and_the_other_is_held_back_and_reported()
    {
        var (a, b, first, second) = await TwoUsersNamedAnnAsync(NewRelationReplica);
        using var _ = a;
        using var __ = b;

        var result = await SyncAsync(b, a);

        foreach (var r in new[] { a, b })
        {
            Assert.Equal($"user {first} ann ann@a", await ShownAsync(r));
            var held = Assert.Single(await HeldAsync(r));
            Assert.Equal((Key(second), HoldBackReason.UniqueConflict, Key(first), "IX_Users_Name"), (held.Key, held.Reason, held.RelatedKey, held.Index));
            Assert.Equal("\"ann@b\"", held.Values["Email"]);
            await AssertConstraintsHoldAsync(r);
            await AssertEveryLiveRowIsShownOrHeldBackAsync(r);
        }

        Assert.Equal(Key(second), Assert.Single(result.HeldBack).Key);
        Assert.Contains(result.Changed, c => c.Key == Key(second) && c.Change == RowChange.HeldBack);
    }

    [Fact]
    public async Task KeepLatest_the_value_written_last_keeps_it()
    {
        var time = new FixedTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        using var a = NewRelationReplica("a", o => o.TimeProvider(time));
        using var b = NewRelationReplica("b", o => o.TimeProvider(time));
        var older = Guid.NewGuid();
        var newer = Guid.NewGuid();
        await SaveAsync(a, db => db.Tags.Add(new Tag { Id = older, Label = "urgent" }));
        await SyncAsync(a, b);
        await SaveAsync(b, db => db.Tags.Add(new Tag { Id = newer, Label = "soon" }));
        await SaveAsync(b, db => db.Tags.Find(newer)!.Label = "urgent-ish");
        await SaveAsync(a, db => db.Tags.Add(new Tag { Id = Guid.NewGuid(), Label = "later" }));
        time.Now = time.Now.AddSeconds(1);
        await SaveAsync(b, db => db.Tags.Find(newer)!.Label = "later");

        await SyncAsync(a, b);

        foreach (var r in new[] { a, b })
        {
            Assert.Contains($"tag {newer} later", await ShownAsync(r));
            var held = Assert.Single(await HeldAsync(r));
            Assert.Equal((HoldBackReason.UniqueConflict, Key(newer)), (held.Reason, held.RelatedKey));
            await AssertConstraintsHoldAsync(r);
        }

        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
    }

    [Fact]
    public async Task Renaming_the_row_that_keeps_the_value_shows_the_held_row_at_once_and_everywhere()
    {
        var (a, b, first, second) = await TwoUsersNamedAnnAsync(NewRelationReplica);
        using var _ = a;
        using var __ = b;
        await SyncAsync(b, a);

        await SaveAsync(a, db => db.Users.Find(first)!.Name = "anna");

        Assert.Contains($"user {second} ann ann@b", await ShownAsync(a));
        Assert.Empty(await HeldAsync(a));
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(a);
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_held_row_given_a_new_value_is_shown_and_syncs()
    {
        var (a, b, first, second) = await TwoUsersNamedAnnAsync(NewRelationReplica);
        using var _ = a;
        using var __ = b;
        await SyncAsync(b, a);

        await using (var db = b.Open())
        {
            var held = Assert.Single(await db.Liblim().GetHeldBackRowsAsync());
            Assert.Equal(1, (await db.Liblim().GetStatusAsync()).HeldBack);
            await db.Liblim().UpdateHeldBackAsync(held, new Dictionary<string, object?> { [nameof(User.Name)] = "ann (2)" });
            Assert.Equal(0, (await db.Liblim().GetStatusAsync()).HeldBack);
        }

        Assert.Contains($"user {second} ann (2) ann@b", await ShownAsync(b));
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Contains($"user {first} ann ann@a", await ShownAsync(a));
        Assert.Empty(await HeldAsync(a));
    }

    [Fact]
    public async Task A_held_row_can_be_deleted_and_the_delete_syncs()
    {
        var (a, b, _, second) = await TwoUsersNamedAnnAsync(NewRelationReplica);
        using var __ = a;
        using var ___ = b;
        await SyncAsync(b, a);

        await using (var db = a.Open())
        {
            await db.Liblim().DeleteHeldBackAsync(Assert.Single(await db.Liblim().GetHeldBackRowsAsync()));
            await Assert.ThrowsAsync<LiblimException>(() => db.Liblim().DeleteHeldBackAsync(new HeldBackRow("Users", Key(second), "User", HoldBackReason.UniqueConflict, "Users", "[]", null, new Dictionary<string, string>())));
        }

        await SyncAsync(a, b);
        Assert.Empty(await HeldAsync(a));
        Assert.Empty(await HeldAsync(b));
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        await AssertEveryLiveRowIsShownOrHeldBackAsync(b);
    }

    [Fact]
    public async Task Deleting_the_row_that_keeps_the_value_shows_the_held_one_after_the_sync()
    {
        var (a, b, first, second) = await TwoUsersNamedAnnAsync(NewRelationReplica);
        using var _ = a;
        using var __ = b;
        await SyncAsync(b, a);

        await SaveAsync(b, db => db.Users.Remove(db.Users.Find(first)!));

        Assert.Equal($"user {second} ann ann@b", await ShownAsync(b));
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Empty(await HeldAsync(a));
    }

    [Fact]
    public async Task Two_rows_that_exchanged_their_values_elsewhere_exchange_them_here_with_the_rows_that_reference_them()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var ann = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var list = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Users.AddRange(new User { Id = ann, Name = "ann" }, new User { Id = bob, Name = "bob" });
            db.Lists.Add(new TodoList { Id = list, Title = "ann's", OwnerId = ann });
            db.Todos.Add(new Todo { Id = Guid.NewGuid(), ListId = list, Text = "t" });
            db.Notes.Add(new Note { Id = Guid.NewGuid(), ListId = list, Text = "n" });
        });
        await SyncAsync(a, b);

        // Through a free name, as an app must: both rows keep showing, each with the other's old name.
        await SaveAsync(a, db => db.Users.Find(ann)!.Name = "tmp");
        await SaveAsync(a, db => db.Users.Find(bob)!.Name = "ann");
        await SaveAsync(a, db => db.Users.Find(ann)!.Name = "bob");
        await SyncAsync(b, a);

        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Contains($"user {ann} bob", await ShownAsync(b));
        Assert.Contains($"user {bob} ann", await ShownAsync(b));
        Assert.Contains("todo", await ShownAsync(b));
        Assert.Contains($"list={list} n", await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(b);
        await AssertEveryLiveRowIsShownOrHeldBackAsync(b);
    }

    [Fact]
    public async Task A_row_that_leaves_with_a_value_a_new_row_takes_while_a_reference_moves_to_it_applies_in_one_batch()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var old = Guid.NewGuid();
        var successor = Guid.NewGuid();
        var list = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Users.Add(new User { Id = old, Name = "ann" });
            db.Lists.Add(new TodoList { Id = list, Title = "ann's", OwnerId = old });
        });
        await SyncAsync(a, b);

        await SaveAsync(a, db => db.Users.Add(new User { Id = successor, Name = "ann 2" }));
        await SaveAsync(a, db => db.Lists.Find(list)!.OwnerId = successor);
        await SaveAsync(a, db => db.Users.Remove(db.Users.Find(old)!));
        await SaveAsync(a, db => db.Users.Find(successor)!.Name = "ann");
        await SyncAsync(b, a);

        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Contains($"list {list} ann's owner={successor} pinned=", await ShownAsync(b));
        Assert.Empty(await HeldAsync(b));
        await AssertConstraintsHoldAsync(b);
    }

    [Fact]
    public async Task A_row_that_loses_its_unique_value_holds_back_the_rows_that_reference_it()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var list = Guid.NewGuid();
        await SaveAsync(a, db => db.Users.Add(new User { Id = first, Name = "dee" }));
        await SaveAsync(b, db =>
        {
            db.Users.Add(new User { Id = second, Name = "dee" });
            db.Lists.Add(new TodoList { Id = list, Title = "dee's", OwnerId = second });
            db.Todos.Add(new Todo { Id = Guid.NewGuid(), ListId = list, Text = "t" });
        });

        await SyncAsync(b, a);

        foreach (var r in new[] { a, b })
        {
            Assert.Equal($"user {first} dee ", await ShownAsync(r));
            var held = await HeldAsync(r);
            Assert.Equal(3, held.Count);
            Assert.Equal(HoldBackReason.UniqueConflict, held.Single(h => h.Table == "Users").Reason);
            Assert.Equal((HoldBackReason.ParentHeldBack, Key(second)), held.Where(h => h.Table == "Lists").Select(h => (h.Reason, h.RelatedKey)).Single());
            Assert.Equal((HoldBackReason.ParentHeldBack, Key(list)), held.Where(h => h.Table == "Todos").Select(h => (h.Reason, h.RelatedKey)).Single());
            await AssertConstraintsHoldAsync(r);
        }

        // The owner renamed: it, its list and the list's todo appear.
        await using (var db = a.Open())
        {
            await db.Liblim().UpdateHeldBackAsync((await db.Liblim().GetHeldBackRowsAsync()).Single(h => h.Table == "Users"),
                new Dictionary<string, object?> { [nameof(User.Name)] = "dee 2" });
        }

        Assert.Empty(await HeldAsync(a));
        await SyncAsync(a, b);
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Contains("todo", await ShownAsync(b));
    }

    [Fact]
    public async Task A_local_insert_of_a_value_a_shown_row_holds_fails_as_plain_EF_and_records_nothing()
    {
        using var a = NewRelationReplica("a");
        await SaveAsync(a, db => db.Users.Add(new User { Id = Guid.NewGuid(), Name = "bob" }));
        long before;
        await using (var db = a.Open())
        {
            before = await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM __liblim_rows").SingleAsync();
            db.Users.Add(new User { Id = Guid.NewGuid(), Name = "bob" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        await using (var db = a.Open())
        {
            Assert.Equal(before, await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM __liblim_rows").SingleAsync());
        }
    }
}
