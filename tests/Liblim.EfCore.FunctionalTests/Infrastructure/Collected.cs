using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>Whether a replica has collected a deleted row (docs/semantics.md, "Collecting deleted rows").</summary>
public static class Collected
{
    /// <summary>Whether the replica keeps metadata for the row (its tombstones and kept values, once deleted) once it has collected all it may now.</summary>
    public static async Task<bool> KeepsAsync(IReplica replica, Guid id)
    {
        await using (var db = replica.Open())
        {
            await db.Liblim().CollectDeletedRowsAsync();
        }

        return ShadowRows.Rows(replica).Any(m => m.Key.Contains(id.ToString(), StringComparison.Ordinal));
    }

    /// <summary>
    /// Waits until the replica keeps no metadata for the row: over TCP a server records how far its client had applied its
    /// feed, and collects, when the session ends on its side, which may be after the client has returned.
    /// </summary>
    public static async Task WaitUntilAsync(IReplica replica, Guid id, string? because = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await KeepsAsync(replica, id))
        {
            Assert.True(DateTime.UtcNow < deadline, because ?? $"{replica} still keeps the deleted row's metadata");
            await Task.Delay(20);
        }
    }
}
