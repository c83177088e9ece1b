using System.Data.Common;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.FunctionalTests.Concurrency;

/// <summary>
/// A write that finds a SQLite database locked waits in SQLite's busy handler, up to the context's command timeout,
/// rather than in Microsoft.Data.Sqlite's retry loop (150 ms sleeps); an app's own busy timeout is left as it is.
/// </summary>
public class SqliteBusyTimeoutTests
{
    [Fact]
    public void Connections_of_a_liblim_context_wait_as_long_as_its_command_timeout()
    {
        using var replica = new SqliteReplica("busy-default");
        using (var db = new TodoDb(Options(replica, commandTimeout: null)))
        {
            Assert.Equal(30_000, BusyTimeout(db));
        }

        using (var db = new TodoDb(Options(replica, commandTimeout: 5)))
        {
            Assert.Equal(5_000, BusyTimeout(db));
        }
    }

    [Fact]
    public void An_apps_own_busy_timeout_is_kept()
    {
        using var replica = new SqliteReplica("busy-app");
        var options = new DbContextOptionsBuilder<TodoDb>(Options(replica, commandTimeout: null))
            .AddInterceptors(new AppBusyTimeout(1_234))
            .Options;
        using var db = new TodoDb(options);

        Assert.Equal(1_234, BusyTimeout(db));
    }

    [Fact]
    public async Task A_save_blocked_by_another_writer_completes_once_the_lock_is_released()
    {
        using var replica = new SqliteReplica("busy-blocked");
        await using var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={replica.Path}");
        await blocker.OpenAsync();
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        var beginning = new BeginObserver();
        await using var db = new TodoDb(new DbContextOptionsBuilder<TodoDb>(Options(replica, commandTimeout: null)).AddInterceptors(beginning).Options);
        db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "waited" });
        var save = Task.Run(() => db.SaveChangesAsync()); // Microsoft.Data.Sqlite waits on the calling thread
        await beginning.Started.Task.WaitAsync(TimeSpan.FromSeconds(20)); // its BEGIN IMMEDIATE, which the lock holds up
        Assert.False(save.IsCompleted);
        await using (var commit = blocker.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            await commit.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await save.WaitAsync(TimeSpan.FromSeconds(20)));
        await using var check = replica.Open();
        Assert.Equal("waited", (await check.Items.SingleAsync()).Title);
    }

    private static DbContextOptions<TodoDb> Options(SqliteReplica replica, int? commandTimeout)
        => new DbContextOptionsBuilder<TodoDb>()
            .UseSqlite($"Data Source={replica.Path}", o => o.CommandTimeout(commandTimeout))
            .UseLiblim()
            .Options;

    private static long BusyTimeout(TodoDb db)
    {
        db.Database.OpenConnection();
        try
        {
            using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA busy_timeout";
            return (long)command.ExecuteScalar()!;
        }
        finally
        {
            db.Database.CloseConnection();
        }
    }

    /// <summary>Tells when the context begins a transaction, just before the statement that takes the write lock.</summary>
    private sealed class BeginObserver : DbTransactionInterceptor
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
        {
            Started.TrySetResult();
            return result;
        }

        public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            return ValueTask.FromResult(result);
        }
    }

    private sealed class AppBusyTimeout(int milliseconds) : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {milliseconds}";
            command.ExecuteNonQuery();
        }
    }
}
