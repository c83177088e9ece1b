using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// A row stored before its table was replicated has no metadata. A merge inserts the rows of keys new to it without
/// reading them first; where such a row is there after all, the merge takes the peer's state over it all the same.
/// </summary>
public abstract class RowsStoredBeforeReplicationTests : ReplicaSuite
{
    public sealed class OnSqlite : RowsStoredBeforeReplicationTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : RowsStoredBeforeReplicationTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task A_peer_row_whose_key_is_already_stored_without_metadata_replaces_it_and_the_rest_of_the_batch_applies()
    {
        using var device = NewReplica("stored-before-device");
        using var hub = NewReplica("stored-before-hub");
        var shared = Guid.NewGuid();
        await StoreWithoutLiblimAsync(device, shared);

        await using (var db = hub.Open())
        {
            db.Items.Add(new TodoItem { Id = shared, Title = "from the hub", Priority = 2 });
            db.Items.AddRange(Enumerable.Range(0, 20).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"hub row {i}" }));
            await db.SaveChangesAsync();
        }

        await Replicas.SyncAsync(device, hub);

        await using (var db = device.Open())
        {
            Assert.Equal(21, await db.Items.CountAsync());
            var row = await db.Items.SingleAsync(i => i.Id == shared);
            Assert.Equal(("from the hub", 2), (row.Title, row.Priority));
        }

        Assert.NotNull(ShadowRows.Row(device, "Items", shared));
        Assert.Equal(Snapshot.Of(hub), Snapshot.Of(device));
    }

    /// <summary>A row written as an earlier version of the app wrote it, before Items was replicated: no metadata.</summary>
    private static async Task StoreWithoutLiblimAsync(IReplica replica, Guid id)
    {
        await using var db = replica.Open();
        var connection = db.Database.GetDbConnection(); // a command of the connection's own, which EF does not see
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        var sqlite = replica.Database == DatabaseKind.Sqlite;
        command.CommandText = $"INSERT INTO \"Items\" (\"Id\", \"Title\", \"Done\", \"Priority\") VALUES (@id, 'stored before', {(sqlite ? "0" : "false")}, 1)";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = sqlite ? id.ToString().ToUpperInvariant() : id;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync();
    }
}
