using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>
/// Replicas edit a model with a one-to-many cascade, a self-reference, a restricting and a nulling relationship and
/// unique names, at random and through ordinary EF code, and sync in random pairs. Local writes that break a
/// constraint fail as plain EF's do. At the end every replica shows the same rows and holds back the same rows for
/// the same reasons, no constraint is violated anywhere, and every live row is either shown or held back.
/// </summary>
public abstract class RandomRelationConvergenceTests : RelationSuite
{
    public sealed class OnSqlite : RandomRelationConvergenceTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : RandomRelationConvergenceTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : RandomRelationConvergenceTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private static readonly string[] Names = ["ann", "bob", "cy", "dee"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Random_edits_of_related_rows_and_random_syncs_converge_without_breaking_a_constraint(int seed)
    {
        var random = new Random(seed);
        var replicas = Enumerable.Range(0, 3).Select(i => NewRelationReplica($"rel{i}")).ToArray();
        try
        {
            for (var step = 0; step < 120; step++)
            {
                var at = random.Next(replicas.Length);
                if (random.Next(5) == 0)
                {
                    var other = (at + 1 + random.Next(replicas.Length - 1)) % replicas.Length;
                    await SyncAsync(replicas[at], replicas[other]);
                    continue;
                }

                await EditAsync(replicas[at], random);
            }

            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < replicas.Length; i++)
                {
                    await SyncAsync(replicas[i], replicas[(i + 1) % replicas.Length]);
                }
            }

            var shown = await ShownAsync(replicas[0]);
            var held = await HeldTextAsync(replicas[0]);
            foreach (var r in replicas)
            {
                Assert.Equal(shown, await ShownAsync(r));
                Assert.Equal(held, await HeldTextAsync(r));
                await AssertConstraintsHoldAsync(r);
                await AssertEveryLiveRowIsShownOrHeldBackAsync(r);
            }
        }
        finally
        {
            foreach (var r in replicas)
            {
                r.Dispose();
            }
        }
    }

    /// <summary>One random edit through EF; an edit the database refuses (a taken name, a restricted delete) changes nothing.</summary>
    private static async Task EditAsync(RelationReplica replica, Random random)
    {
        await using var db = replica.Open();
        var lists = await db.Lists.Select(l => l.Id).OrderBy(i => i).ToListAsync();
        var categories = await db.Categories.Select(c => c.Id).OrderBy(i => i).ToListAsync();
        var users = await db.Users.Select(u => u.Id).OrderBy(i => i).ToListAsync();
        T? Pick<T>(List<T> from) => from.Count == 0 ? default : from[random.Next(from.Count)];
        var name = Names[random.Next(Names.Length)];
        switch (random.Next(17))
        {
            case 0:
                db.Lists.Add(new TodoList { Id = random.NextGuid(), Title = $"list {random.Next(100)}", OwnerId = users.Count == 0 || random.Next(3) == 0 ? null : Pick(users) });
                break;
            case 16 when lists.Count > 0:
                var owned = Pick(lists);
                var edited = await db.Lists.SingleAsync(l => l.Id == owned);
                if (random.Next(2) == 0)
                {
                    edited.OwnerId = users.Count == 0 || random.Next(3) == 0 ? null : Pick(users);
                }
                else
                {
                    // Pin any todo (of any list): references across the two tables, both ways.
                    var todos = await db.Todos.Select(t => t.Id).OrderBy(i => i).ToListAsync();
                    edited.PinnedTodoId = todos.Count == 0 || random.Next(3) == 0 ? null : Pick(todos);
                }

                break;
            case 1 when lists.Count > 0:
                var list = Pick(lists);
                db.Lists.Remove(await db.Lists.SingleAsync(l => l.Id == list));
                break;
            case 2 when lists.Count > 0:
                db.Todos.Add(new Todo { Id = random.NextGuid(), ListId = Pick(lists), Text = $"todo {random.Next(100)}" });
                break;
            case 3 when lists.Count > 0 && await db.Todos.AnyAsync():
                var todo = await db.Todos.OrderBy(t => t.Id).Skip(random.Next(await db.Todos.CountAsync())).FirstAsync();
                if (random.Next(2) == 0) { todo.ListId = Pick(lists); } else { todo.Text = $"todo {random.Next(100)}"; }
                break;
            case 4 when await db.Todos.AnyAsync():
                db.Todos.Remove(await db.Todos.OrderBy(t => t.Id).Skip(random.Next(await db.Todos.CountAsync())).FirstAsync());
                break;
            case 5:
                db.Categories.Add(new Category { Id = random.NextGuid(), Name = $"cat {random.Next(100)}", ParentId = random.Next(3) == 0 ? null : Pick(categories) is var p && p != default ? p : null });
                break;
            case 6 when categories.Count > 0:
                // Any category, its own descendants too: cycles happen.
                var picked = Pick(categories);
                var category = await db.Categories.SingleAsync(c => c.Id == picked);
                category.ParentId = random.Next(4) == 0 ? null : Pick(categories);
                break;
            case 7 when categories.Count > 0:
                var removed = Pick(categories);
                db.Categories.Remove(await db.Categories.SingleAsync(c => c.Id == removed));
                break;
            case 8:
                db.Users.Add(new User { Id = random.NextGuid(), Name = name, Email = $"{name}{random.Next(10)}@x" });
                break;
            case 9 when await db.Users.AnyAsync():
                (await db.Users.OrderBy(u => u.Id).Skip(random.Next(await db.Users.CountAsync())).FirstAsync()).Name = name;
                break;
            case 10 when await db.Users.AnyAsync():
                db.Users.Remove(await db.Users.OrderBy(u => u.Id).Skip(random.Next(await db.Users.CountAsync())).FirstAsync());
                break;
            case 11:
                db.Notes.Add(new Note { Id = random.NextGuid(), Text = $"note {random.Next(100)}", ListId = lists.Count == 0 || random.Next(3) == 0 ? null : Pick(lists) });
                break;
            case 12:
                db.Tags.Add(new Tag { Id = random.NextGuid(), Label = Names[random.Next(2)] });
                break;
            case 13:
                var order = await db.Orders.OrderBy(o => o.Id).FirstOrDefaultAsync();
                if (order is null || random.Next(3) == 0)
                {
                    db.Orders.Add(new Order { Id = random.NextGuid(), Number = $"o{random.Next(100)}" });
                }
                else if (random.Next(2) == 0)
                {
                    db.Lines.Add(new OrderLine { Id = random.NextGuid(), OrderId = order.Id, Product = $"p{random.Next(10)}" });
                }
                else
                {
                    db.Orders.Remove(order); // refused while it has lines
                }

                break;
            case 14 when await db.Lines.AnyAsync():
                db.Lines.Remove(await db.Lines.OrderBy(l => l.Id).FirstAsync());
                break;
            case 15:
                // Resolve a held row now and then: a new name, or away with it.
                var held = await db.Liblim().GetHeldBackRowsAsync();
                if (held.Count > 0)
                {
                    var row = held[random.Next(held.Count)];
                    if (row.Table == "Users" && random.Next(2) == 0)
                    {
                        await db.Liblim().UpdateHeldBackAsync(row, new Dictionary<string, object?> { [nameof(User.Name)] = $"{name}{random.Next(1000)}" });
                    }
                    else
                    {
                        await db.Liblim().DeleteHeldBackAsync(row);
                    }
                }

                return;
            default:
                return;
        }

        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // Refused by the database, as without Liblim: nothing saved.
        }
    }
}
