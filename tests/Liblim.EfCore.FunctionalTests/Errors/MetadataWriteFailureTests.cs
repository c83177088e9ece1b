using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Errors;

/// <summary>
/// On SQLite, metadata rows are written on the connection's own handle rather than through commands. A write the
/// database refuses there still fails the SaveChanges with SQLite's own error, and nothing of it is stored.
/// </summary>
public class MetadataWriteFailureTests
{
    [Fact]
    public async Task A_metadata_row_the_database_refuses_fails_the_SaveChanges_with_its_error_and_stores_nothing()
    {
        using var replica = new SqliteReplica("metadata-refused");
        var (id, before, metadataBefore) = await RefuseTombstonesAsync(replica);
        await using (var db = replica.Open())
        {
            db.Items.Remove(await db.Items.SingleAsync(i => i.Id == id));
            var e = await Assert.ThrowsAnyAsync<Exception>(() => db.SaveChangesAsync());
            var sqlite = e as SqliteException ?? e.InnerException as SqliteException;
            Assert.NotNull(sqlite);
            Assert.Contains("metadata refused by a trigger", sqlite.Message);
        }

        Assert.Equal(before, Snapshot.Of(replica));
        Assert.Equal(metadataBefore, ShadowRows.Rows(replica));

        replica.Execute("DROP TRIGGER refuse_metadata");
        await Replicas.DeleteAsync(replica, id);
        Assert.Empty(Replicas.All(replica));
        Assert.Null(ShadowRows.Rows(replica).Single().AddTags);
    }

    [Fact]
    public async Task In_the_apps_own_transaction_a_refused_metadata_row_undoes_the_SaveChanges_even_when_the_app_commits_after()
    {
        using var replica = new SqliteReplica("metadata-refused-app-transaction");
        var (id, before, metadataBefore) = await RefuseTombstonesAsync(replica);
        await using (var db = replica.Open())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Items.Remove(await db.Items.SingleAsync(i => i.Id == id));
            await Assert.ThrowsAnyAsync<Exception>(() => db.SaveChangesAsync());
            await transaction.CommitAsync(); // the app goes on with its transaction: the failed SaveChanges left nothing in it
        }

        // The row is still there, with its metadata: not deleted without the tombstone that would tell the peers.
        Assert.Equal(before, Snapshot.Of(replica));
        Assert.Equal(metadataBefore, ShadowRows.Rows(replica));
    }

    /// <summary>
    /// Stores a row, then makes the database refuse the tombstone a delete of it needs (a delete's tombstone, with the
    /// values it keeps, is the row of __liblim_rows Liblim writes itself); returns the row's id and the replica as it was.
    /// </summary>
    private static async Task<(Guid Id, string Before, List<ShadowRows.Meta> MetadataBefore)> RefuseTombstonesAsync(SqliteReplica replica)
    {
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(replica, new TodoItem { Id = id, Title = "already here" });
        var state = (id, Snapshot.Of(replica), ShadowRows.Rows(replica));
        replica.Execute("CREATE TRIGGER refuse_metadata BEFORE INSERT ON __liblim_rows BEGIN SELECT RAISE(ABORT, 'metadata refused by a trigger'); END");
        return state;
    }
}
