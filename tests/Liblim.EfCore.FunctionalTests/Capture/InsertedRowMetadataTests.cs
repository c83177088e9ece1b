using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Capture;

/// <summary>
/// An inserted row's metadata goes into its own row with EF's INSERT, not by a second write of the row afterwards; what
/// an entity's metadata columns held before (an earlier SaveChanges that failed) is never stored; a key inserted again
/// over its tombstone keeps the tombstone, in one place.
/// </summary>
public abstract class InsertedRowMetadataTests : ReplicaSuite
{
    public sealed class OnSqlite : InsertedRowMetadataTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;

        [Fact]
        public async Task Each_inserted_row_is_written_once_its_metadata_with_it()
        {
            using var replica = NewReplica("r");
            await using var db = replica.Open();
            await db.Database.OpenConnectionAsync(); // one connection, whose count of written rows the test reads
            await InsertAsync(db, 1); // numbers this node, so that the next two writes differ only in their rows

            var ten = await RowsWrittenAsync(db, () => InsertAsync(db, 10));
            var thirty = await RowsWrittenAsync(db, () => InsertAsync(db, 30));

            Assert.Equal(20, thirty - ten); // one row write per row: its INSERT, metadata included
            Assert.Equal(41, ShadowRows.Count(replica));
            Assert.All(ShadowRows.Rows(replica), m => Assert.Equal(m.Clock, m.AddTags));
        }

        private static async Task InsertAsync(TodoDb db, int rows)
        {
            db.Items.AddRange(Enumerable.Range(0, rows).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}" }));
            await db.SaveChangesAsync();
        }

        /// <summary>How many rows SQLite inserted, updated or deleted on the context's connection while <paramref name="write"/> ran.</summary>
        private static async Task<long> RowsWrittenAsync(TodoDb db, Func<Task> write)
        {
            var before = await TotalChangesAsync(db);
            await write();
            return await TotalChangesAsync(db) - before;
        }

        private static async Task<long> TotalChangesAsync(TodoDb db)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "SELECT total_changes()";
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }

    public sealed class OnPostgres : InsertedRowMetadataTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task An_entity_saved_again_after_a_failed_SaveChanges_stores_the_metadata_of_the_save_that_succeeded()
    {
        using var replica = NewReplica("r");
        var taken = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = taken, Title = "first" });
            await db.SaveChangesAsync();
        }

        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            var item = new TodoItem { Id = id, Title = "saved on the second try" };
            var duplicate = new TodoItem { Id = taken, Title = "duplicate key" };
            db.Items.AddRange(item, duplicate);
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

            // Another write moves the feed on in between: the failed save's position is handed out again.
            await using (var other = replica.Open())
            {
                other.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "in between" });
                await other.SaveChangesAsync();
            }

            db.Entry(duplicate).State = EntityState.Detached;
            await db.SaveChangesAsync();
        }

        var rows = ShadowRows.Rows(replica);
        var saved = Assert.Single(rows, m => m.Key == $"[\"{id}\"]");
        Assert.Equal(rows.Max(m => m.Seq), saved.Seq);
        Assert.Equal(3, rows.Select(m => m.Seq).Distinct().Count());
        Assert.Equal(ShadowRows.StateSeq(replica), saved.Seq);
    }

    [Fact]
    public async Task A_key_inserted_again_after_its_delete_keeps_its_tombstone_in_one_place_and_syncs_alive()
    {
        using var replica = NewReplica("r");
        using var peer = NewReplica("peer");
        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = id, Title = "first life" });
            await db.SaveChangesAsync();
            db.Items.Remove(db.Items.Single());
            await db.SaveChangesAsync();
            db.Items.Add(new TodoItem { Id = id, Title = "second life" });
            await db.SaveChangesAsync();
        }

        var meta = ShadowRows.Row(replica, "Items", id)!; // Rows checks that it is in one place only
        Assert.NotNull(meta.Tombstones);
        Assert.NotNull(meta.AddTags);
        Assert.Null(meta.KeptValues);

        await using (var db = peer.Open())
        await using (var source = replica.Open())
        {
            await db.Liblim().SyncWithAsync(source);
            Assert.Equal("second life", (await db.Items.SingleAsync()).Title);
        }
    }
}
