using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>What a sync reports of the rows it changed: the entity type, the key as typed values, the columns that changed, and text a log can show.</summary>
public abstract class ChangeEventTests : ReplicaSuite
{
    public sealed class OnSqlite : ChangeEventTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : ChangeEventTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task A_changed_row_names_its_entity_type_its_typed_key_and_the_columns_that_changed()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "one", Priority = 1 });

        var inserted = Assert.Single((await SyncAsync(b, a)).Changed);
        await EditAsync(a, id, i => (i.Title, i.Done) = ("two", true));
        var updated = Assert.Single((await SyncAsync(b, a)).Changed);
        await DeleteAsync(a, id);
        var deleted = Assert.Single((await SyncAsync(b, a)).Changed);

        Assert.Equal((typeof(TodoItem), RowChange.Inserted, id), (inserted.EntityType, inserted.Change, inserted.GetKey<Guid>()));
        Assert.Contains("Title", inserted.Columns);
        Assert.Contains("Priority", inserted.Columns);
        Assert.DoesNotContain("Id", inserted.Columns);
        Assert.Equal(["Done", "Title"], updated.Columns.Order());
        Assert.Equal([id], updated.KeyValues);
        Assert.Equal((RowChange.Deleted, 0), (deleted.Change, deleted.Columns.Count));
        Assert.Equal($"TodoItem [\"{id}\"] Updated ({string.Join(", ", updated.Columns)})", updated.ToString());
        Assert.Equal($"TodoItem [\"{id}\"] Deleted", deleted.ToString());
        Assert.Throws<InvalidOperationException>(() => updated.GetKey<int>());
    }

    [Fact]
    public async Task A_sync_result_and_a_change_event_read_as_a_sentence()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "one" });

        var result = await SyncAsync(b, a);
        var changes = new RowsChangedEventArgs(result.Peer, result.Changed);

        Assert.Equal($"sync with {result.Peer}: sent 0 (0 applied there), received 1 (1 applied here)", result.ToString());
        Assert.StartsWith($"1 rows changed by a batch of {result.Peer}: TodoItem [\"{id}\"] Inserted (", changes.ToString());
    }
}
