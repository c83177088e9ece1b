using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Writes;

/// <summary>
/// Collects deleted rows: their tombstones and kept values go once every peer heard from within
/// <c>ForgetPeersAfter</c> has applied this database's feed past them (causal stability over the peers it counts). Runs
/// after sync sessions (paced: <see cref="CollectionPace"/>) and on <c>db.Liblim().CollectDeletedRowsAsync()</c>, a page
/// of rows per transaction.
/// </summary>
internal static class DeletedRowCollection
{
    /// <summary>How many deleted rows one transaction collects at most.</summary>
    public const int PageSize = 10_000;

    /// <summary>
    /// Collects what a session may collect now (<see cref="CollectionPace"/>): nothing when this process collected the
    /// database less than <see cref="CollectionPace.Interval"/> ago. Returns how many deleted rows were collected.
    /// </summary>
    public static async Task<int> CollectAfterSessionAsync(DbContext context, Guid node, CancellationToken ct)
        => context.GetService<CollectionPace>().TryStart(CatchUp.KeyOf(node, context)) ? await CollectAsync(context, ct).ConfigureAwait(false) : 0;

    /// <summary>Collects what can be collected now; returns how many deleted rows were.</summary>
    public static async Task<int> CollectAsync(DbContext context, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var options = session.Options;
        var since = options.ForgetPeersAfter is { } after ? options.TimeProvider.GetUtcNow() - after : DateTimeOffset.MinValue;
        long? floor;
        var snapshot = await OwnedTransaction.BeginSnapshotAsync(context, async: true, ct).ConfigureAwait(false);
        await using (snapshot.ConfigureAwait(false))
        {
            floor = await session.Shadow.ReadCollectionFloorAsync(since, async: true, ct).ConfigureAwait(false);
            if (floor is { } f && !await session.Shadow.HasDeletedRowsAsync(f, async: true, ct).ConfigureAwait(false))
            {
                floor = null; // nothing to collect: no write lock taken, as after most sessions
            }
        }

        var total = 0;
        for (var done = floor is null; !done;)
        {
            var write = await OwnedTransaction.BeginWriteAsync(context, async: true, ct).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                (var collected, done) = await session.Shadow.CollectAsync(floor!.Value, PageSize, async: true, ct).ConfigureAwait(false);
                await write.CommitAsync(ct).ConfigureAwait(false);
                total += collected;
            }
        }

        return total;
    }
}
