using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.FunctionalTests.Errors;

/// <summary>
/// ExecuteUpdate and ExecuteDelete on a replicated entity are refused before EF makes a command, so the app's log shows
/// no "Failed executing DbCommand" error that reads as if the SQL had run.
/// </summary>
public class BulkWriteLogTests
{
    [Fact]
    public async Task A_refused_ExecuteUpdate_or_ExecuteDelete_leaves_no_failed_command_in_EFs_log()
    {
        using var replica = new SqliteReplica("bulk-log");
        var errors = new List<string>();
        var options = new DbContextOptionsBuilder<TodoDb>(replica.Options).LogTo(m => errors.Add(m), LogLevel.Warning).Options;
        await using var db = new TodoDb(options);

        var update = await Assert.ThrowsAsync<ReplicationBypassException>(() => db.Items.ExecuteUpdateAsync(s => s.SetProperty(i => i.Title, "bulk")));
        var delete = Assert.Throws<ReplicationBypassException>(() => db.Items.Where(i => i.Title == "x").ExecuteDelete());

        Assert.Equal(("Items", "Items"), (update.Table, delete.Table));
        Assert.Empty(errors);
    }
}
