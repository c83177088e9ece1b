using System.Text.Json;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary><c>liblim row</c>: a row's registers, tags and values, with its clocks as times and node ids.</summary>
public abstract class CliRowTests : ReplicaSuite
{
    public sealed class OnSqlite : CliRowTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : CliRowTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task A_row_updated_on_the_peer_shows_which_node_wrote_each_column_and_when_and_once_deleted_its_tombstone_and_kept_values()
    {
        using var a = NewReplica("row-a");
        using var b = NewReplica("row-b");
        var id = Guid.NewGuid();
        // Times on the replicas' clock (SharedClock), which writes are stamped from: each reading is a millisecond on, and
        // a timestamp keeps whole milliseconds.
        var inserted = SharedClock.GetUtcNow().AddMilliseconds(-1);
        await Replicas.InsertAsync(a, new TodoItem { Id = id, Title = "milk", Priority = 1, Notes = "2 litres" });
        await Replicas.SyncAsync(a, b);
        var edited = SharedClock.GetUtcNow().AddMilliseconds(-1);
        await Replicas.EditAsync(b, id, i => i.Title = "oat milk");
        await Replicas.SyncAsync(a, b);
        var (aNode, bNode) = (await NodeIdAsync(a), await NodeIdAsync(b));

        var run = await LiblimTool.RunAsync("row", "--db", LiblimTool.Db(a), "Items", id.ToString(), "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var row = run.Json;
        Assert.Equal(("Items", $"[\"{id}\"]", "shown"), (row.GetProperty("table").GetString(), row.GetProperty("key").GetString(), row.GetProperty("state").GetString()));
        var title = Column(row, "Title");
        Assert.Equal("oat milk", title.GetProperty("value").GetString());
        Assert.Equal(bNode, title.GetProperty("written").GetProperty("node").GetGuid());
        Assert.InRange(title.GetProperty("written").GetProperty("time").GetDateTimeOffset(), edited, SharedClock.GetUtcNow());
        // b wrote Title over the insert's register: its prior is the insert's clock; Notes, never written since, has none.
        Assert.Equal(row.GetProperty("baseClock").GetProperty("timestamp").GetString(), title.GetProperty("prior").GetProperty("timestamp").GetString());
        var notes = Column(row, "Notes");
        Assert.Equal(JsonValueKind.Null, notes.GetProperty("prior").ValueKind);
        Assert.Equal(("2 litres", aNode, "this replica"),
            (notes.GetProperty("value").GetString(), notes.GetProperty("written").GetProperty("node").GetGuid(), notes.GetProperty("written").GetProperty("nodeLabel").GetString()));
        Assert.InRange(notes.GetProperty("written").GetProperty("time").GetDateTimeOffset(), inserted, edited);
        Assert.Equal(aNode, row.GetProperty("baseClock").GetProperty("node").GetGuid()); // the insert's, kept by the columns written no later
        var tag = Assert.Single(row.GetProperty("addTags").EnumerateArray());
        Assert.Equal(aNode, tag.GetProperty("node").GetGuid());
        Assert.Empty(row.GetProperty("tombstones").EnumerateArray());

        var text = await LiblimTool.RunAsync("row", "--db", LiblimTool.Db(a), "Items", id.ToString());
        Assert.Equal($"Items [\"{id}\"] in {Shown(a)}", text.Lines[0]);
        Assert.Contains(text.Lines, l => Cells(l) is ["Title", "\"oat milk\"", _, _, var node] && node.StartsWith(bNode.ToString(), StringComparison.Ordinal));
        Assert.Contains(text.Lines, l => Cells(l) is ["Notes", "\"2 litres\"", _, "-", var node] && node == $"{aNode} (this replica)");

        // Deleted on the peer: no add tag left, the tag tombstoned, the values kept in the metadata row.
        await Replicas.DeleteAsync(b, id);
        await Replicas.SyncAsync(a, b);
        var deleted = (await LiblimTool.RunAsync("row", "--db", LiblimTool.Db(a), "Items", $"[\"{id}\"]", "--json")).Json;
        Assert.Equal(("deleted", "metadata row"), (deleted.GetProperty("state").GetString(), deleted.GetProperty("valuesFrom").GetString()));
        Assert.Empty(deleted.GetProperty("addTags").EnumerateArray());
        Assert.Equal(tag.GetProperty("timestamp").GetString(), Assert.Single(deleted.GetProperty("tombstones").EnumerateArray()).GetProperty("timestamp").GetString());
        Assert.Equal("oat milk", Column(deleted, "Title").GetProperty("value").GetString());
        Assert.True(Column(deleted, "Title").GetProperty("kept").GetBoolean());
    }

    [Fact]
    public async Task A_row_of_a_composite_key_is_found_by_its_values_in_key_order_and_an_unknown_key_is_a_one_line_error()
    {
        using var a = NewReplica("row-shapes");
        await using (var db = a.Open())
        {
            db.Shapes.Add(new Circle { Code = "c1", Region = 7, Color = "red", Radius = 2.5 });
            await db.SaveChangesAsync();
        }

        var run = await LiblimTool.RunAsync("row", "--db", LiblimTool.Db(a), "Shapes", "c1,7", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("[\"c1\",7]", run.Json.GetProperty("key").GetString());
        Assert.Equal(2.5, Column(run.Json, "Radius").GetProperty("value").GetDouble());
        Assert.Equal("Circle", Column(run.Json, "Discriminator").GetProperty("value").GetString());

        var missing = await LiblimTool.RunAsync("row", "--db", LiblimTool.Db(a), "Shapes", "c1,8");
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("", missing.Output);
        Assert.Equal($"liblim: {Shown(a)} has no row [\"c1\",8] in Shapes (key: Code (text), Region (integer))", missing.Error.TrimEnd());
    }

    private static string Shown(IReplica replica)
        => replica.Database == DatabaseKind.Sqlite ? LiblimTool.Db(replica) : LiblimTool.DisplayOf(LiblimTool.Db(replica));

    private static JsonElement Column(JsonElement row, string name)
        => row.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static string[] Cells(string line) => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task<Guid> NodeIdAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }
}
