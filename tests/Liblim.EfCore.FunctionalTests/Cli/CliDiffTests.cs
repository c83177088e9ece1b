using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary><c>liblim diff</c>: whether two replicas have converged, on SQLite, PostgreSQL and one of each, and which rows differ.</summary>
public abstract class CliDiffTests : ReplicaSuite
{
    public sealed class OnSqlite : CliDiffTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : CliDiffTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    /// <summary>A SQLite replica and a PostgreSQL one: values compared in canonical form (a decimal's trailing zeros, GUIDs, booleans and times as each stores them).</summary>
    public sealed class Mixed : CliDiffTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    [Fact]
    public async Task Replicas_after_a_full_sync_have_converged_and_after_one_divergent_local_write_only_that_row_differs()
    {
        using var a = NewReplica("diff-a");
        using var b = NewReplica("diff-b");
        var (milk, bread, gone, theirs) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var due = new DateTime(2026, 3, 1, 9, 30, 15, 250, DateTimeKind.Utc);
        await using (var db = a.Open())
        {
            db.Items.AddRange(
                new TodoItem { Id = milk, Title = "milk", Done = true, Priority = 2, Cost = 12.50m, DueUtc = due, Place = new Address { City = "Oslo" } },
                new TodoItem { Id = bread, Title = "bread", Notes = "rye", Cost = 40m },
                new TodoItem { Id = gone, Title = "to be deleted" });
            db.Shapes.Add(new Circle { Code = "c", Region = 3, Color = "red", Radius = 0.1 });
            db.Audit.Add(new AuditEntry { Id = Guid.NewGuid(), Message = "created" });
            await db.SaveChangesAsync();
        }

        // On PostgreSQL 40.00 keeps its scale; SQLite holds it as 40.0: the same number.
        await Replicas.InsertAsync(b, new TodoItem { Id = theirs, Title = "from b", Cost = 40.00m, DueUtc = due.AddDays(1) });
        await Replicas.SyncAsync(a, b);
        await Replicas.DeleteAsync(a, gone);
        await Replicas.EditAsync(b, bread, i => i.Done = true);
        await Replicas.SyncAsync(b, a);

        var converged = await LiblimTool.RunAsync("diff", LiblimTool.Db(a), LiblimTool.Db(b));
        Assert.True(converged.ExitCode == 0, converged.ToString());
        Assert.Contains("converged: yes (every row of every replicated table has the same replicated state)", converged.Lines);
        var json = (await LiblimTool.RunAsync("diff", LiblimTool.Db(a), LiblimTool.Db(b), "--json")).Json;
        Assert.True(json.GetProperty("converged").GetBoolean());
        // Six rows, the deleted one too, unless a replica has collected it already (every peer has applied the delete).
        Assert.Equal((6, 6), (json.GetProperty("rowsA").GetInt64() + json.GetProperty("collectedOnlyInA").GetInt64(),
            json.GetProperty("rowsB").GetInt64() + json.GetProperty("collectedOnlyInB").GetInt64()));

        // One local write on a: that row, and nothing else.
        await Replicas.EditAsync(a, milk, i => i.Title = "oat milk");
        var diverged = await LiblimTool.RunAsync("diff", "--db", LiblimTool.Db(a), "--db", LiblimTool.Db(b), "--json");
        Assert.True(diverged.ExitCode == 1, diverged.ToString());
        Assert.False(diverged.Json.GetProperty("converged").GetBoolean());
        var row = Assert.Single(diverged.Json.GetProperty("rows").EnumerateArray());
        Assert.Equal(("Items", $"[\"{milk}\"]", "differs"), (row.GetProperty("table").GetString(), row.GetProperty("key").GetString(), row.GetProperty("kind").GetString()));
        Assert.Equal(["value Title \"oat milk\" \"milk\"", "clock Title"],
            row.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("what").GetString() + " " + d.GetProperty("column").GetString()
                + (d.GetProperty("what").GetString() == "value" ? $" {d.GetProperty("a").GetString()} {d.GetProperty("b").GetString()}" : "")));
        var text = await LiblimTool.RunAsync("diff", LiblimTool.Db(a), LiblimTool.Db(b));
        Assert.Contains("converged: no (1 row differs: 0 only in A, 0 only in B, 1 in both with different states)", text.Lines);
        Assert.Single(text.Lines, l => l.StartsWith($"Items  [\"{milk}\"]  value of Title: A \"oat milk\", B \"milk\"; clock of Title: A ", StringComparison.Ordinal));

        // Synced again they have converged; a row b inserts is then the one difference, only in B.
        await Replicas.SyncAsync(a, b);
        var again = await LiblimTool.RunAsync("diff", LiblimTool.Db(a), LiblimTool.Db(b));
        Assert.True(again.ExitCode == 0, again.ToString());
        var added = Guid.NewGuid();
        await Replicas.InsertAsync(b, new TodoItem { Id = added, Title = "new on b" });
        var onlyInB = await LiblimTool.RunAsync("diff", LiblimTool.Db(a), LiblimTool.Db(b), "--json");
        var only = Assert.Single(onlyInB.Json.GetProperty("rows").EnumerateArray());
        Assert.Equal(($"[\"{added}\"]", "onlyInB"), (only.GetProperty("key").GetString(), only.GetProperty("kind").GetString()));
    }
}
