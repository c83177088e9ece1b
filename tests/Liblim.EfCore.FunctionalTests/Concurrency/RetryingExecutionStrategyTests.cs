using System.Data.Common;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.FunctionalTests.Concurrency;

/// <summary>
/// An app on PostgreSQL that lets EF retry transient failures (<c>EnableRetryOnFailure</c>): Liblim begins its transaction
/// inside the attempt EF retries, so a replicated SaveChanges runs under the strategy, and an attempt that failed leaves
/// nothing behind: the retry stores each row and its metadata once.
/// </summary>
public class RetryingExecutionStrategyTests
{
    [Fact]
    public async Task A_SaveChanges_retried_after_a_transient_failure_stores_each_row_and_its_metadata_once_and_a_peer_gets_them()
    {
        using var replica = new PostgresReplica("retrying");
        var failure = new FirstCommandFails();
        var options = new DbContextOptionsBuilder<TodoDb>()
            .UseNpgsql(replica.ConnectionString, o => o.EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromMilliseconds(10), errorCodesToAdd: null))
            .UseLiblim()
            .AddInterceptors(failure)
            .Options;
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        await using (var db = new TodoDb(options))
        {
            db.Items.AddRange(ids.Select(id => new TodoItem { Id = id, Title = $"item {id}" }));
            await db.SaveChangesAsync();

            var item = await db.Items.FirstAsync();
            item.Title = "edited";
            failure.Arm();
            await db.SaveChangesAsync();
        }

        Assert.Equal(2, failure.Failed); // the insert's first attempt and the update's
        var rows = ShadowRows.Rows(replica);
        Assert.Equal(ids.Order(), rows.Select(m => Guid.Parse(m.Key[2..^2])).Order());
        // A position each, the edited row's the last (it moved there), and the state row at it. On PostgreSQL positions are
        // drawn from a sequence, which a rollback does not give back: those of a failed attempt stay unused.
        var seqs = ShadowRows.Seqs(replica);
        Assert.Equal(ids.Count, seqs.Distinct().Count());
        Assert.Equal(ShadowRows.StateSeq(replica), seqs.Max());
        Assert.Equal("edited", (await ReadAtAsync(options, seqs.Max())).Title);

        // Syncs run on a context with the strategy too, both ways.
        using var peer = new SqliteReplica("peer");
        await Replicas.InsertAsync(peer, new TodoItem { Id = Guid.NewGuid(), Title = "from the peer" });
        await using (var db = peer.Open())
        await using (var retrying = new TodoDb(options))
        {
            await retrying.Liblim().SyncWithAsync(db);
            await db.Liblim().SyncWithAsync(retrying);
        }

        Assert.Equal(Snapshot.Of(replica), Snapshot.Of(peer));
        Assert.Contains("title=edited", Snapshot.Of(peer));
        Assert.Contains("title=from the peer", Snapshot.Of(replica));
    }

    private static async Task<TodoItem> ReadAtAsync(DbContextOptions<TodoDb> options, long seq)
    {
        await using var db = new TodoDb(options);
        return await db.Items.AsNoTracking().SingleAsync(i => EF.Property<long?>(i, RowMetadataNames.Seq) == seq);
    }

    /// <summary>Fails the first command of a SaveChanges (and of the next, once armed again) as a timed-out command does: a transient failure.</summary>
    private sealed class FirstCommandFails : DbCommandInterceptor
    {
        private bool _armed = true;

        public int Failed { get; private set; }

        public void Arm() => _armed = true;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (_armed && eventData.CommandSource == CommandSource.SaveChanges)
            {
                _armed = false;
                Failed++;
                throw new TimeoutException("The command timed out (a transient failure the execution strategy retries).");
            }

            return ValueTask.FromResult(result);
        }
    }
}
