using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>What a one-shot sync reports: every changed row counted, at most <see cref="SyncResult.MaxListedRows"/> listed.</summary>
public class SyncResultTests
{
    [Fact]
    public async Task A_sync_that_changes_more_rows_than_it_lists_counts_them_all_and_lists_the_most_it_may()
    {
        using var a = new SqliteReplica("result-a");
        using var b = new SqliteReplica("result-b");
        var rows = SyncResult.MaxListedRows + 25;
        await using (var db = a.Open())
        {
            db.Items.AddRange(Enumerable.Range(0, rows).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}" }));
            await db.SaveChangesAsync();
        }

        var result = await Replicas.SyncAsync(b, a);

        Assert.Equal(rows, result.RowsApplied);
        Assert.Equal(rows, result.ChangedCount);
        Assert.Equal(SyncResult.MaxListedRows, result.Changed.Count);
        Assert.All(result.Changed, c => Assert.Equal(RowChange.Inserted, c.Change));
        Assert.Equal(rows, Replicas.All(b).Count);

        // A sync of a few rows lists them all.
        await Replicas.EditAsync(a, Replicas.All(a)[0].Id, i => i.Title = "edited");
        var next = await Replicas.SyncAsync(b, a);
        Assert.Equal(1, next.ChangedCount);
        Assert.Equal(RowChange.Updated, Assert.Single(next.Changed).Change);
    }
}
