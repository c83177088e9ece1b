using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// Metadata rows are stored compactly (node ids as local numbers, keys as bytes) and read back exactly as they were
/// written: a hub whose rows carry the clocks, tags and sources of two other nodes stores the same metadata they do,
/// though each database numbers the nodes in its own order, and serves it on.
/// </summary>
public abstract class StoredMetadataTests : ReplicaSuite
{
    public sealed class OnSqlite : StoredMetadataTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;

        [Fact]
        public async Task The_sqlite_that_ships_with_ef_has_unhex_which_reads_of_key_lists_use()
        {
            using var replica = NewReplica("unhex");
            await using var db = replica.Open();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT hex(unhex('00ff'))";
            Assert.Equal("00FF", await command.ExecuteScalarAsync());
        }
    }

    public sealed class Mixed : StoredMetadataTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : StoredMetadataTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private static readonly Guid NodeA = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid NodeB = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid NodeHub = Guid.Parse("00000000-0000-0000-0000-0000000000ff");

    [Fact]
    public async Task A_hubs_rows_from_two_nodes_come_back_from_storage_as_the_nodes_wrote_them()
    {
        var time = new FixedTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        using var a = NewReplica("a", o => o.NodeId(NodeA).TimeProvider(time));
        using var hub = NewReplica("hub", o => o.NodeId(NodeHub).TimeProvider(time));
        using var b = NewReplica("b", o => o.NodeId(NodeB).TimeProvider(time));
        var shared = Guid.NewGuid();
        var fromB = Guid.NewGuid();
        var gone = Guid.NewGuid();
        await InsertAsync(b, new TodoItem { Id = fromB, Title = "from b" });
        await InsertAsync(a, new TodoItem { Id = shared, Title = "shared" });
        await InsertAsync(a, new TodoItem { Id = gone, Title = "gone" });
        await using (var db = a.Open())
        {
            db.Shapes.Add(new Circle { Code = "é \"1\"", Region = 3, Color = "red", Radius = 2 });
            await db.SaveChangesAsync();
        }

        // The hub meets b first, so it numbers b's node before a's; a and b number their own first.
        await SyncAsync(b, hub);
        await SyncAsync(a, hub);
        await SyncAsync(b, hub);
        time.Now = time.Now.AddSeconds(1);
        await EditAsync(a, shared, i => i.Title = "a's title");
        await EditAsync(b, shared, i => i.Priority = 5);
        await DeleteAsync(b, gone);
        await SyncAsync(a, hub);
        await SyncAsync(b, hub);
        await SyncAsync(a, hub);

        Assert.Equal([NodeB.ToString("N"), NodeA.ToString("N")], ShadowRows.Nodes(hub).Select(n => n.Node));
        var onHub = ShadowRows.Row(hub, "Items", shared)!;
        Assert.Equal(NodeA, HybridTimestamp.Parse(onHub.Clock).Node);
        Assert.Equal(["Priority", "Title"], ShadowRows.ColumnsWithOwnClock(onHub));
        Assert.Equal(NodeB.ToString("N"), ShadowRows.Row(hub, "Items", fromB)!.Source);
        Assert.Equal(NodeB.ToString("N"), ShadowRows.Row(hub, "Items", gone)!.Source);
        Assert.Null(ShadowRows.Row(hub, "Items", gone)!.AddTags);
        Assert.Equal(NodeA, HybridTimestamp.Parse(ShadowRows.Row(hub, "Items", gone)!.Tombstones!).Node); // b's delete observed a's insert
        Assert.Equal(Logical(a), Logical(hub));
        Assert.Equal(Logical(b), Logical(hub));

        // Read back into the hub's change feed: a new replica gets the same tables and the same metadata.
        using var c = NewReplica("c");
        await SyncAsync(c, hub);
        Assert.Equal(Snapshot.Of(hub), Snapshot.Of(c));
        Assert.Equal(Logical(hub), Logical(c));
        Assert.Contains(ShadowRows.Rows(c), m => m.Table == "Shapes" && m.Key == "[\"é \\\"1\\\"\",3]");
    }

    [Fact]
    public async Task A_node_numbered_in_a_transaction_that_rolls_back_is_numbered_again_afterwards()
    {
        using var a = NewReplica("a", o => o.NodeId(NodeA));
        using var b = NewReplica("b", o => o.NodeId(NodeB));
        await InsertAsync(b, new TodoItem { Id = Guid.NewGuid(), Title = "from b" });
        var kept = Guid.NewGuid();
        await using (var db = a.Open())
        {
            // One connection throughout, as an app that opens it itself has: a provider may then hand out the same
            // transaction object again (Npgsql does), which must not carry what Liblim knew of the rolled-back one.
            await db.Database.OpenConnectionAsync();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "rolled back" });
                await db.SaveChangesAsync();
                await transaction.RollbackAsync();
            }

            Assert.Empty(ShadowRows.Nodes(a));
            db.ChangeTracker.Clear();
            await SyncAsync(a, b);
            db.Items.Add(new TodoItem { Id = kept, Title = "kept" });
            await db.SaveChangesAsync();
        }

        Assert.Equal([(1, NodeB.ToString("N")), (2, NodeA.ToString("N"))], ShadowRows.Nodes(a));
        Assert.Equal(NodeA, HybridTimestamp.Parse(ShadowRows.Row(a, "Items", kept)!.Clock).Node);
        await SyncAsync(a, b);
        Assert.Equal(Logical(a), Logical(b));
    }

    /// <summary>A replica's metadata rows without what is local to it (sequence numbers and sources), by table and key.</summary>
    private static List<string> Logical(IReplica replica)
        => [.. ShadowRows.Rows(replica)
            .Select(m => $"{m.Table} {m.Key} clock={m.Clock} columns={m.ColumnClocks} tags={m.AddTags} tombstones={m.Tombstones} kept={m.KeptValues}")
            .Order(StringComparer.Ordinal)];
}
