using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>Whether a replica has collected a deleted row (docs/semantics.md, "Collecting deleted rows").</summary>
public static class Collected
{
    /// <summary>Whether the replica keeps metadata for the row (its tombstones and kept values, once deleted) once it has collected all it may now.</summary>
    public static Task<bool> KeepsAsync(IReplica replica, Guid id) => KeepsAsync(replica.Open, m => m.Key.Contains(id.ToString(), StringComparison.Ordinal));

    /// <summary>Whether the database keeps metadata of a row <paramref name="match"/> picks, once it has collected all it may now.</summary>
    public static async Task<bool> KeepsAsync(Func<DbContext> open, Func<ShadowRows.Meta, bool> match)
    {
        await using (var db = open())
        {
            await db.Liblim().CollectDeletedRowsAsync();
        }

        return ShadowRows.Rows(open).Any(match);
    }

    /// <inheritdoc cref="WaitUntilAsync(Func{DbContext}, Func{ShadowRows.Meta, bool}, string)"/>
    public static Task WaitUntilAsync(IReplica replica, Guid id, string? because = null)
        => WaitUntilAsync(replica.Open, m => m.Key.Contains(id.ToString(), StringComparison.Ordinal), because ?? $"{replica} still keeps the deleted row's metadata");

    /// <summary>
    /// Waits until the database keeps no metadata of a row <paramref name="match"/> picks: over TCP a server records how far
    /// its client had applied its feed, and collects, when the session ends on its side, which may be after the client has
    /// returned.
    /// </summary>
    public static async Task WaitUntilAsync(Func<DbContext> open, Func<ShadowRows.Meta, bool> match, string because)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await KeepsAsync(open, match))
        {
            Assert.True(DateTime.UtcNow < deadline, because);
            await Task.Delay(20);
        }
    }
}
