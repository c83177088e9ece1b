using System.Text.Json;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary><c>liblim conflicts</c>: the journal's entries, which write lost to which, from outside the app.</summary>
public abstract class CliConflictsTests : ReplicaSuite
{
    public sealed class OnSqlite : CliConflictsTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : CliConflictsTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Two_offline_edits_of_a_title_are_one_entry_naming_the_value_kept_and_the_value_lost_with_their_writers()
    {
        // The replicas share the suite's clock, so b's edit is the later write. Were a's the later one, b could merge it
        // before reading its own feed and send a nothing back to journal: a journals a lost write only where it meets it.
        using var a = NewReplica("conflicts-a");
        using var b = NewReplica("conflicts-b");
        var (id, other) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(a, new TodoItem { Id = id, Title = "milk" });
        await Replicas.InsertAsync(a, new TodoItem { Id = other, Title = "bread" });
        await Replicas.SyncAsync(a, b);
        var before = SharedClock.GetUtcNow(); // the replicas' clock, which their journals read
        await Replicas.EditAsync(a, id, i => i.Title = "milk from a");
        await Replicas.EditAsync(b, id, i => i.Title = "milk from b");
        await Replicas.SyncAsync(a, b);
        var after = SharedClock.GetUtcNow();
        var (aNode, bNode) = (await NodeIdAsync(a), await NodeIdAsync(b));
        var shown = Replicas.Find(a, id)!.Title;

        var run = await LiblimTool.RunAsync("conflicts", "--db", LiblimTool.Db(a), "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, run.Json.GetProperty("total").GetInt32());
        var entry = Assert.Single(run.Json.GetProperty("conflicts").EnumerateArray());
        Assert.Equal(("Items", $"[\"{id}\"]", "Title"), (entry.GetProperty("table").GetString(), entry.GetProperty("key").GetString(), entry.GetProperty("column").GetString()));
        var (kept, lost) = (entry.GetProperty("kept"), entry.GetProperty("lost"));
        Assert.Equal(shown, kept.GetProperty("value").GetString()); // the later write, which the row shows
        Assert.Equal(shown == "milk from a" ? "milk from b" : "milk from a", lost.GetProperty("value").GetString());
        Assert.Equal(shown == "milk from a" ? (aNode, bNode) : (bNode, aNode), (Node(kept), Node(lost)));
        Assert.True(string.CompareOrdinal(Timestamp(kept), Timestamp(lost)) > 0, "the value kept is the later write");
        Assert.Equal(Node(lost) == aNode ? "this replica" : null, lost.GetProperty("written").GetProperty("nodeLabel").GetString());
        Assert.InRange(entry.GetProperty("decidedAt").GetDateTimeOffset(), before, after);

        var text = await LiblimTool.RunAsync("conflicts", "--db", LiblimTool.Db(a));
        Assert.Contains(text.Lines, l => l.Contains($"Items  [\"{id}\"]  Title   \"{shown}\"", StringComparison.Ordinal));
        var ofRow = await LiblimTool.RunAsync("conflicts", "--db", LiblimTool.Db(a), "--table", "Items", "--key", id.ToString(), "--json");
        Assert.Equal(1, ofRow.Json.GetProperty("total").GetInt32());
        var ofOther = await LiblimTool.RunAsync("conflicts", "--db", LiblimTool.Db(a), "--table", "Items", "--key", other.ToString());
        Assert.Equal([$"{Shown(a)} has recorded no conflict of these"], ofOther.Lines);
        var status = await LiblimTool.RunAsync("status", "--db", LiblimTool.Db(a), "--json");
        Assert.Equal(1, status.Json.GetProperty("conflicts").GetInt32());
    }

    [Fact]
    public async Task An_edit_lost_to_a_delete_that_had_not_seen_it_is_an_entry_with_the_rows_delete_as_what_won()
    {
        using var a = NewReplica("conflicts-deleting");
        using var b = NewReplica("conflicts-editing");
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(a, new TodoItem { Id = id, Title = "milk" });
        await Replicas.SyncAsync(a, b);
        await Replicas.DeleteAsync(a, id);
        await Replicas.EditAsync(b, id, i => i.Title = "oat milk");
        await Replicas.SyncAsync(b, a); // a, the server, holds the delete and meets the edit

        var run = await LiblimTool.RunAsync("conflicts", "--db", LiblimTool.Db(a), "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var entry = Assert.Single(run.Json.GetProperty("conflicts").EnumerateArray());
        Assert.True(entry.GetProperty("lostToDelete").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("kept").ValueKind);
        Assert.Equal(("Title", "oat milk"), (entry.GetProperty("column").GetString(), entry.GetProperty("lost").GetProperty("value").GetString()));
        var text = await LiblimTool.RunAsync("conflicts", "--db", LiblimTool.Db(a));
        Assert.Contains(text.Lines, l => l.Contains("(the row's delete)", StringComparison.Ordinal) && l.Contains("\"oat milk\"", StringComparison.Ordinal));
    }

    private static Guid Node(JsonElement side) => side.GetProperty("written").GetProperty("node").GetGuid();

    private static string Timestamp(JsonElement side) => side.GetProperty("written").GetProperty("timestamp").GetString()!;

    private static string Shown(IReplica replica)
        => replica.Database == DatabaseKind.Sqlite ? LiblimTool.Db(replica) : LiblimTool.DisplayOf(LiblimTool.Db(replica));

    private static async Task<Guid> NodeIdAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }
}
