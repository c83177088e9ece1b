using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Relationships;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary><c>liblim held-back</c>, <c>status</c> and <c>row</c> on rows held back: what each waits for, without the app.</summary>
public abstract class CliHeldBackTests : RelationSuite
{
    public sealed class OnSqlite : CliHeldBackTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : CliHeldBackTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task A_child_whose_parent_has_not_arrived_and_a_row_whose_unique_name_another_keeps_are_listed_with_what_they_wait_for()
    {
        using var a = NewRelationReplica("held-a");
        using var b = NewRelationReplica("held-b");
        var (list, todo, ann, otherAnn) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "chores" });
            db.Todos.Add(new Todo { Id = todo, ListId = list, Text = "dishes" });
            db.Users.Add(new User { Id = ann, Name = "ann" });
        });
        await SaveAsync(b, db => db.Users.Add(new User { Id = otherAnn, Name = "ann" }));

        // The todo arrives without its list; a's user, inserted first, keeps the name "ann".
        await PushAsync(a, b, s => s.Table is "Todos" or "Users");

        var held = await LiblimTool.RunAsync("held-back", "--db", LiblimTool.Db(b));
        Assert.True(held.ExitCode == 0, held.ToString());
        Assert.Equal(
            [
                ["table", "key", "reason", "waits for", "index"],
                ["Todos", Key(todo), "MissingParent", $"Lists {Key(list)}", "-"],
                ["Users", Key(otherAnn), "UniqueConflict", $"Users {Key(ann)}", "IX_Users_Name"],
            ],
            held.Lines.Select(Cells));

        var json = await LiblimTool.RunAsync("held-back", "--db", LiblimTool.Db(b), "--json");
        var row = json.Json.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("table").GetString() == "Todos");
        Assert.Equal("missingParent", row.GetProperty("reason").GetString());
        Assert.Equal(("Lists", Key(list)), (row.GetProperty("waitsFor").GetProperty("table").GetString(), row.GetProperty("waitsFor").GetProperty("key").GetString()));
        Assert.Equal("dishes", row.GetProperty("values").GetProperty("Text").GetString());

        var status = await LiblimTool.RunAsync("status", "--db", LiblimTool.Db(b), "--json");
        Assert.Equal(2, status.Json.GetProperty("heldBack").GetInt64());

        var rowText = await LiblimTool.RunAsync("row", "--db", LiblimTool.Db(b), "Todos", todo.ToString());
        Assert.True(rowText.ExitCode == 0, rowText.ToString());
        Assert.Contains($"state          held back (MissingParent: waits for Lists {Key(list)})", rowText.Lines);
        Assert.Contains("values from    metadata row", rowText.Lines);
        Assert.Contains(rowText.Lines, l => Cells(l) is ["Text", "\"dishes\"", ..]);

        // Once the list arrives, nothing is held back for it.
        await PushAsync(a, b, s => s.Table == "Lists");
        var after = await LiblimTool.RunAsync("held-back", "--db", LiblimTool.Db(b));
        Assert.DoesNotContain(after.Lines, l => l.StartsWith("Todos", StringComparison.Ordinal));
    }

    private static string[] Cells(string line) => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
