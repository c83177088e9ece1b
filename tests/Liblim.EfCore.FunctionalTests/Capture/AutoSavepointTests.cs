using System.Data.Common;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.FunctionalTests.Capture;

/// <summary>
/// A SaveChanges in the transaction Liblim opens for it makes no savepoint (EF would, taking that transaction for the
/// app's); in the app's own transaction there is one savepoint (Liblim's, in place of EF's, so that a failure while
/// recording the metadata is undone too), and the app's <c>AutoSavepointsEnabled</c> is what it set, before and after,
/// whether the SaveChanges succeeded or failed.
/// </summary>
public class AutoSavepointTests
{
    [Fact]
    public async Task Only_a_SaveChanges_in_the_apps_own_transaction_makes_a_savepoint_and_the_apps_setting_stays_as_it_set_it()
    {
        using var replica = new SqliteReplica("auto-savepoints");
        var savepoints = new SavepointCounter();
        await using var db = new TodoDb(new DbContextOptionsBuilder<TodoDb>(replica.Options).AddInterceptors(savepoints).Options);

        db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "in Liblim's transaction" });
        await db.SaveChangesAsync();
        Assert.Equal(0, savepoints.Created);
        Assert.True(db.Database.AutoSavepointsEnabled);

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "in the app's transaction" });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        Assert.Equal(1, savepoints.Created);

        // A failing SaveChanges (a key already stored) gives the app's setting back too, whichever it was.
        var taken = await db.Items.AsNoTracking().Select(i => i.Id).FirstAsync();
        foreach (var setting in new[] { false, true })
        {
            db.Database.AutoSavepointsEnabled = setting;
            db.ChangeTracker.Clear();
            db.Items.Add(new TodoItem { Id = taken, Title = "duplicate" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Equal(setting, db.Database.AutoSavepointsEnabled);
        }

        db.ChangeTracker.Clear();
        Assert.Equal(2, await db.Items.CountAsync());
        Assert.Equal(1, savepoints.Created);
    }

    private sealed class SavepointCounter : DbTransactionInterceptor
    {
        public int Created { get; private set; }

        public override InterceptionResult CreatingSavepoint(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
        {
            Created++;
            return result;
        }

        public override ValueTask<InterceptionResult> CreatingSavepointAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Created++;
            return ValueTask.FromResult(result);
        }
    }
}
