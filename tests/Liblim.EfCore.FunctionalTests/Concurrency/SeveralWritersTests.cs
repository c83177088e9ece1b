using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Concurrency;

/// <summary>
/// Several writers on one PostgreSQL database, as two processes would be: two independent connection pools save
/// changes and merge other replicas' changes at the same time. The state row lock hands out clocks one transaction at a
/// time, the feed sequence numbers every change once, and the merges lock the rows they read, so nothing is lost or
/// numbered twice, and the replicas converge.
/// </summary>
public class SeveralWritersTests
{
    private const int Saves = 25;
    private const int Merges = 8;

    [Fact]
    public async Task Two_connection_pools_saving_and_merging_into_one_database_at_once_lose_nothing_and_converge()
    {
        using var shared = new PostgresReplica("shared");
        using var sqlitePeer = new SqliteReplica("sqlite-peer");
        using var postgresPeer = new PostgresReplica("postgres-peer");
        var poolA = Pool(shared, "writer-a");
        var poolB = Pool(shared, "writer-b");
        var row = Guid.NewGuid();
        await using (var db = new TodoDb(poolA))
        {
            db.Items.Add(new TodoItem { Id = row, Title = "start" });
            await db.SaveChangesAsync();
        }

        // Each pool inserts rows of its own and edits its own column of one shared row; two more tasks merge the
        // peers' new rows in, one of them through both pools at once.
        await Task.WhenAll(
            Task.Run(() => WriteAsync(poolA, "a", row, (item, i) => item.Title = $"a-{i}")),
            Task.Run(() => WriteAsync(poolB, "b", row, (item, i) => item.Priority = i)),
            Task.Run(() => MergeAsync(sqlitePeer, "sqlite", poolA, poolB)),
            Task.Run(() => MergeAsync(postgresPeer, "postgres", poolB)));

        await using (var db = new TodoDb(poolB))
        {
            var items = await db.Items.AsNoTracking().ToListAsync();
            Assert.Equal(1 + 2 * Saves + 2 * Merges, items.Count);
            foreach (var prefix in new[] { "a", "b", "sqlite", "postgres" })
            {
                var count = prefix is "a" or "b" ? Saves : Merges;
                Assert.Equal(count, items.Count(i => i.Title.StartsWith(prefix + "-", StringComparison.Ordinal) && i.Id != row));
            }

            var edited = items.Single(i => i.Id == row);
            Assert.Equal(($"a-{Saves - 1}", Saves - 1), (edited.Title, edited.Priority));
        }

        // One metadata row per data row, every change numbered once, and the state row at the last number.
        var seqs = ShadowRows.Seqs(shared);
        Assert.Equal(1 + 2 * Saves + 2 * Merges, seqs.Count);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        Assert.Equal(ShadowRows.StateSeq(shared), seqs.Max());

        // Every local SaveChanges got a timestamp of its own.
        await using var check = new TodoDb(poolA);
        var node = await check.Liblim().GetNodeIdAsync();
        var localInserts = ShadowRows.Rows(shared).Select(m => HybridTimestamp.Parse(m.AddTags!)).Where(t => t.Node == node).ToList();
        Assert.Equal(1 + 2 * Saves, localInserts.Distinct().Count());

        for (var round = 0; round < 2; round++)
        {
            await SyncAsync(shared, sqlitePeer);
            await SyncAsync(shared, postgresPeer);
            await SyncAsync(sqlitePeer, postgresPeer);
        }

        Assert.Equal(Snapshot.Of(shared), Snapshot.Of(sqlitePeer));
        Assert.Equal(Snapshot.Of(shared), Snapshot.Of(postgresPeer));
        Assert.Contains($"title=a-{Saves - 1} done=False prio={Saves - 1}", Snapshot.Of(sqlitePeer));
    }

    [Fact]
    public async Task A_serializable_app_transaction_that_raced_another_writer_fails_whole_and_succeeds_when_retried()
    {
        using var replica = new PostgresReplica("serializable");
        var id = Guid.NewGuid();
        await using var app = new TodoDb(Pool(replica, "app"));
        await using (var tx = await app.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable))
        {
            _ = await app.Items.CountAsync(); // the transaction's snapshot is taken here

            await using (var other = new TodoDb(Pool(replica, "other")))
            {
                other.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "committed meanwhile" });
                await other.SaveChangesAsync();
            }

            app.Items.Add(new TodoItem { Id = id, Title = "from the serializable transaction" });
            var e = await Assert.ThrowsAnyAsync<Exception>(() => app.SaveChangesAsync());
            Assert.Contains(Causes(e), c => c is DbUpdateException); // as EF's own failures while saving (Npgsql's strategy wraps it once more: transient)
            Assert.Equal(PostgresErrorCodes.SerializationFailure, Causes(e).OfType<PostgresException>().FirstOrDefault()?.SqlState);
        }

        Assert.Null(Find(replica, id));
        app.ChangeTracker.Clear();
        await using (var tx = await app.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable))
        {
            app.Items.Add(new TodoItem { Id = id, Title = "from the serializable transaction" });
            await app.SaveChangesAsync();
            await tx.CommitAsync();
        }

        Assert.NotNull(Find(replica, id));
        Assert.Equal([1L, 2L], ShadowRows.Seqs(replica).Order());
    }

    [Fact]
    public async Task Two_sessions_with_one_peer_at_once_never_take_either_database_for_a_restored_one()
    {
        using var shared = new PostgresReplica("shared");
        using var peer = new SqliteReplica("peer");
        var pools = new[] { Pool(shared, "session-a"), Pool(shared, "session-b") };
        var nodes = (await NodeIdAsync(shared), await NodeIdAsync(peer));
        for (var round = 0; round < 12; round++)
        {
            await InsertAsync(shared, new TodoItem { Id = Guid.NewGuid(), Title = $"shared-{round}" });
            await InsertAsync(peer, new TodoItem { Id = Guid.NewGuid(), Title = $"peer-{round}" });

            // Each session reads its fence before the other has handed out (and the peer applied) what it covers.
            await Task.WhenAll(pools.Select((pool, i) => Task.Run(async () =>
            {
                await using var db = new TodoDb(pool);
                await using var other = peer.Open();
                await (i == 0 ? db.Liblim().SyncWithAsync(other) : other.Liblim().SyncWithAsync(db));
            })));
        }

        Assert.Equal(nodes, (await NodeIdAsync(shared), await NodeIdAsync(peer)));
        Assert.Equal(Snapshot.Of(shared), Snapshot.Of(peer));
    }

    private static async Task<Guid> NodeIdAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }

    /// <summary>An exception and its inner exceptions (EF wraps a database error met while saving in a DbUpdateException).</summary>
    private static IEnumerable<Exception> Causes(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>Options of a connection pool of its own on the replica's database (Npgsql pools per connection string).</summary>
    private static DbContextOptions<TodoDb> Pool(PostgresReplica replica, string name)
        => new DbContextOptionsBuilder<TodoDb>()
            .UseNpgsql(new NpgsqlConnectionStringBuilder(replica.ConnectionString) { ApplicationName = name }.ConnectionString)
            .UseLiblim()
            .Options;

    private static async Task WriteAsync(DbContextOptions<TodoDb> pool, string name, Guid row, Action<TodoItem, int> edit)
    {
        for (var i = 0; i < Saves; i++)
        {
            await using var db = new TodoDb(pool);
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = $"{name}-{i}" });
            edit(await db.Items.SingleAsync(x => x.Id == row), i);
            await db.SaveChangesAsync();
        }
    }

    private static async Task MergeAsync(IReplica peer, string name, params DbContextOptions<TodoDb>[] pools)
    {
        for (var i = 0; i < Merges; i++)
        {
            await InsertAsync(peer, new TodoItem { Id = Guid.NewGuid(), Title = $"{name}-{i}" });
            await Task.WhenAll(pools.Select(async pool =>
            {
                await using var db = new TodoDb(pool);
                await using var other = peer.Open();
                await db.Liblim().SyncWithAsync(other);
            }));
        }
    }
}
