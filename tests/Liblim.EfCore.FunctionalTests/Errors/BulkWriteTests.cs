using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Errors;

/// <summary>Writes that bypass SaveChanges are refused on replicated tables, before they run.</summary>
public abstract class BulkWriteTests : ReplicaSuite
{
    public sealed class OnSqlite : BulkWriteTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : BulkWriteTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private async Task<IReplica> WithOneItem()
    {
        var r = NewReplica("r");
        await InsertAsync(r, new TodoItem { Id = Guid.NewGuid(), Title = "x" });
        return r;
    }

    [Fact]
    public async Task ExecuteUpdate_on_a_replicated_table_is_refused_and_changes_nothing()
    {
        using var r = await WithOneItem();
        await using var db = r.Open();
        var e = await Assert.ThrowsAsync<ReplicationBypassException>(() => db.Items.ExecuteUpdateAsync(s => s.SetProperty(i => i.Title, "bulk")));
        Assert.Equal("Items", e.Table);
        Assert.Contains("SaveChanges", e.Message);
        Assert.Equal("x", (await db.Items.SingleAsync()).Title);
    }

    [Fact]
    public async Task A_refused_write_leaves_no_failed_command_in_efs_log()
    {
        using var r = await WithOneItem();
        var log = new Tcp.CapturedLog();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        await using var db = new TodoDb(new DbContextOptionsBuilder<TodoDb>(r.Options).UseLoggerFactory(loggers).Options);
        Assert.Equal(1, await db.Items.CountAsync());

        await Assert.ThrowsAsync<ReplicationBypassException>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"Items\" SET \"Title\" = 'raw'"));
        await Assert.ThrowsAsync<ReplicationBypassException>(() => db.Items.ExecuteUpdateAsync(s => s.SetProperty(i => i.Title, "bulk")));

        // EF logs a command that failed at Error ("Failed executing DbCommand"), which would read as if the SQL had run.
        Assert.True(log.Count("Microsoft.EntityFrameworkCore", LogLevel.Error, "") == 0, $"EF logged an error:\n{log}");
        Assert.True(log.Count("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Information, "Executed DbCommand") > 0, $"the query's command is in the log:\n{log}");
    }

    [Fact]
    public async Task ExecuteDelete_on_a_replicated_table_is_refused_and_deletes_nothing()
    {
        using var r = await WithOneItem();
        await using var db = r.Open();
        Assert.Throws<ReplicationBypassException>(() => db.Items.Where(i => i.Title == "x").ExecuteDelete());
        Assert.Equal(1, await db.Items.CountAsync());
    }

    [Theory]
    [InlineData("DELETE FROM \"Items\"")]
    [InlineData("UPDATE Items SET Title = 'raw'")]
    [InlineData("insert into \"Items\" (\"Id\", \"Title\", \"Done\", \"Priority\") values ('00000000-0000-0000-0000-000000000001', 'raw', 0, 0)")]
    public async Task Raw_SQL_that_writes_a_replicated_table_is_refused(string sql)
    {
        using var r = await WithOneItem();
        await using var db = r.Open();
        await Assert.ThrowsAsync<ReplicationBypassException>(() => db.Database.ExecuteSqlRawAsync(sql));
        Assert.Equal("x", (await db.Items.SingleAsync()).Title);
    }

    [Fact]
    public async Task Bulk_operations_on_tables_that_are_not_replicated_still_work()
    {
        using var r = await WithOneItem();
        await using var db = r.Open();
        db.Settings.Add(new LocalSetting { Value = "a" });
        await db.SaveChangesAsync();

        Assert.Equal(1, await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.Value, "b")));
        Assert.Equal(1, await db.Database.ExecuteSqlRawAsync("DELETE FROM \"Settings\""));
        Assert.Equal(1, await db.Items.CountAsync()); // reading replicated tables with raw SQL is fine
        Assert.Single(await db.Items.FromSqlRaw("SELECT * FROM \"Items\"").ToListAsync());
    }
}
