using System.Data.Common;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// While batches are applied on SQLite, the connection keeps its temporary storage in memory, where SQLite writes each
/// savepoint's journal, and has a page cache of at least 16 MiB (the SyncCacheSize option); the app's own settings and its temporary tables are what
/// they were before and after.
/// </summary>
public class ApplyingConnectionTests
{
    [Fact]
    public async Task While_a_group_applies_batches_temporary_storage_is_in_memory_the_cache_larger_and_then_the_connection_has_its_own_settings_back()
    {
        using var source = new SqliteReplica("journal-source");
        using var target = new SqliteReplica("journal-target");
        var batch = await BatchOfAsync(source, 3);

        // A group open for as long as the test needs: it commits only when told to.
        await using var db = target.OpenWith(o => o.SyncCommitInterval(TimeSpan.FromHours(1)));
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await ExecuteAsync(connection, "PRAGMA temp_store = FILE; PRAGMA cache_size = -1000");

        await using (var group = new ApplyGroup(db))
        {
            await group.ApplyAsync(batch, default);
            Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA temp_store")); // MEMORY
            Assert.Equal(-16_384L, await ScalarAsync(connection, "PRAGMA cache_size")); // 16 MiB
            await group.CommitAsync(default);
        }

        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA temp_store")); // FILE, as the app set it
        Assert.Equal(-1_000L, await ScalarAsync(connection, "PRAGMA cache_size"));
        Assert.Equal(System.Data.ConnectionState.Open, connection.State); // the app opened it: it stays open
        Assert.Equal(3, await db.Items.CountAsync());
        await db.Database.CloseConnectionAsync();
        Assert.Equal(System.Data.ConnectionState.Closed, connection.State); // and closes when the app closes it
    }

    [Fact]
    public async Task A_connection_with_a_larger_cache_applies_with_its_own()
    {
        using var source = new SqliteReplica("cache-source");
        using var target = new SqliteReplica("cache-target");
        var batch = await BatchOfAsync(source, 2);

        await using var db = target.OpenWith(o => o.SyncCommitInterval(TimeSpan.FromHours(1)));
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await ExecuteAsync(connection, "PRAGMA cache_size = 10000"); // pages of 4 KiB: about 39 MiB

        await using (var group = new ApplyGroup(db))
        {
            await group.ApplyAsync(batch, default);
            Assert.Equal(10_000L, await ScalarAsync(connection, "PRAGMA cache_size"));
            await group.CommitAsync(default);
        }

        Assert.Equal(10_000L, await ScalarAsync(connection, "PRAGMA cache_size"));
        Assert.Equal(2, await db.Items.CountAsync());
    }

    [Theory]
    [InlineData(4_096, -4_096L)] // the size the option gives
    [InlineData(0, -1_000L)] // the connection's own
    public async Task The_SyncCacheSize_option_sets_the_cache_a_group_applies_with(int option, long during)
    {
        using var source = new SqliteReplica($"cache-option-source-{option}");
        using var target = new SqliteReplica($"cache-option-target-{option}");
        var batch = await BatchOfAsync(source, 2);

        await using var db = target.OpenWith(o => o.SyncCommitInterval(TimeSpan.FromHours(1)).SyncCacheSize(option));
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await ExecuteAsync(connection, "PRAGMA cache_size = -1000");

        await using (var group = new ApplyGroup(db))
        {
            await group.ApplyAsync(batch, default);
            Assert.Equal(during, await ScalarAsync(connection, "PRAGMA cache_size"));
            await group.CommitAsync(default);
        }

        Assert.Equal(-1_000L, await ScalarAsync(connection, "PRAGMA cache_size"));
        Assert.Equal(2, await db.Items.CountAsync());
    }

    [Fact]
    public async Task A_sync_leaves_the_temporary_tables_on_the_apps_connection_alone()
    {
        using var source = new SqliteReplica("journal-temp-source");
        using var target = new SqliteReplica("journal-temp-target");
        await AddItemsAsync(source, 3);

        await using var db = target.Open();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await ExecuteAsync(connection, "CREATE TEMP TABLE scratch (note TEXT); INSERT INTO scratch VALUES ('kept')");

        await using (var from = source.Open())
        {
            await db.Liblim().SyncWithAsync(from);
        }

        // Changing temp_store would have dropped the table: with it there, the setting stays as it was. The cache was
        // larger for the sync, and is SQLite's default (2 MiB) again.
        Assert.Equal("kept", await ScalarAsync<string>(connection, "SELECT note FROM scratch"));
        Assert.Equal(0L, await ScalarAsync(connection, "PRAGMA temp_store"));
        Assert.Equal(-2_000L, await ScalarAsync(connection, "PRAGMA cache_size"));
        Assert.Equal(3, await db.Items.CountAsync());
    }

    [Fact]
    public async Task When_the_write_lock_cannot_be_had_the_connection_is_given_back_as_it_was()
    {
        using var source = new SqliteReplica("journal-busy-source");
        using var target = new SqliteReplica("journal-busy-target");
        var batch = await BatchOfAsync(source, 2);

        // Another process holds the database's write lock for longer than this context waits (1 second).
        await using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={target.Path}");
        await other.OpenAsync();
        await ExecuteAsync(other, "BEGIN IMMEDIATE");

        await using var db = new TodoDb(new DbContextOptionsBuilder<TodoDb>()
            .UseSqlite($"Data Source={target.Path}", o => o.CommandTimeout(1)).UseLiblim().Options);
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await ExecuteAsync(connection, "PRAGMA temp_store = FILE");

        await using (var group = new ApplyGroup(db))
        {
            var busy = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => group.ApplyAsync(batch, default));
            Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY
        }

        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA temp_store"));
        Assert.Equal(-2_000L, await ScalarAsync(connection, "PRAGMA cache_size"));
        await db.Database.CloseConnectionAsync();
        Assert.Equal(System.Data.ConnectionState.Closed, connection.State); // opened once by the app, closed once
        await ExecuteAsync(other, "ROLLBACK");
        Assert.Equal(0, await db.Items.CountAsync());
    }

    private static async Task AddItemsAsync(SqliteReplica replica, int count)
    {
        await using var db = replica.Open();
        db.Items.AddRange(Enumerable.Range(0, count).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"item {i}" }));
        await db.SaveChangesAsync();
    }

    /// <summary>A replica's changes as one batch a peer would send.</summary>
    private static async Task<RemoteBatch> BatchOfAsync(SqliteReplica replica, int count)
    {
        await AddItemsAsync(replica, count);
        await using var db = replica.Open();
        var (states, last, _) = await ChangeFeed.ReadAsync(db, 0, null, 1_000, Guid.Empty, baseline: null, scope: null, async: true, default);
        return new RemoteBatch(replica.Name, await db.Liblim().GetNodeIdAsync(), states, last);
    }

    private static Task<long> ScalarAsync(DbConnection connection, string sql) => ScalarAsync<long>(connection, sql);

    private static async Task<T> ScalarAsync<T>(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
