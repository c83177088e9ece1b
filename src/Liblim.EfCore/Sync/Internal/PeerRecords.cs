using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// What a database records of its peers and of itself so that its peers' knowledge of its feed stays true: positions
/// read for IHAZ, the fence written before positions are handed out, and the new node id taken when a peer knows more
/// of this database's feed than it holds (docs/protocol.md, section 4). Each runs in a transaction of its own.
/// </summary>
internal static class PeerRecords
{
    /// <summary>The node id in use, the head, and the peer's watermark and fence, read together.</summary>
    public static async Task<PeerPositions> ReadAsync(DbContext context, Guid peer, CancellationToken ct)
    {
        var transaction = await OwnedTransaction.BeginSnapshotAsync(context, async: true, ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            return await context.GetService<StoreSession>().Shadow.ReadPeerAsync(peer, async: true, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Records, and returns, the fence for the peer: the head of the feed, committed before anything up to it is sent.</summary>
    public static Task<long> FenceAsync(DbContext context, Guid peer, CancellationToken ct)
        => InWriteAsync(context, shadow => shadow.WriteFenceAsync(peer, async: true, ct), ct);

    /// <summary>Records rows as held by a peer served by scope (<paramref name="joined"/>), and as no longer held (<paramref name="left"/>).</summary>
    public static Task<bool> WritePeerRowsAsync(DbContext context, string peer, IReadOnlyList<(string Table, string Key)> joined, IReadOnlyList<(string Table, string Key)> left, CancellationToken ct)
        => InWriteAsync(context, async shadow =>
        {
            await shadow.WritePeerRowsAsync(peer, joined, left, async: true, ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>Binds the peer's node id to the user a transport authenticated, at its first session; returns the user it is bound to.</summary>
    public static Task<string> BindOwnerAsync(DbContext context, Guid peer, string owner, CancellationToken ct)
        => InWriteAsync(context, shadow => shadow.BindOwnerAsync(peer, owner, async: true, ct), ct);

    /// <summary>Takes a new node id in place of <paramref name="retiring"/> (unless another session has already); returns the one in use.</summary>
    public static Task<Guid> RotateAsync(DbContext context, Guid retiring, CancellationToken ct)
        => InWriteAsync(context, shadow => shadow.RotateAsync(retiring, async: true, ct), ct);

    /// <summary>Records how a session with a peer ended (<see cref="ShadowStore.RecordSessionAsync"/>), at the configured time.</summary>
    public static Task<bool> RecordSessionAsync(DbContext context, Guid peer, string address, string? error, (long Position, DateTimeOffset At)? acked, CancellationToken ct)
        => InWriteAsync(context, async shadow =>
        {
            var at = context.GetService<StoreSession>().Options.TimeProvider.GetUtcNow();
            await shadow.RecordSessionAsync(peer, address, at, error, acked, async: true, ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>Records how far the peer said, in its IHAZ, it had applied this database's feed, and when.</summary>
    public static Task<bool> RecordAckAsync(DbContext context, Guid peer, long position, DateTimeOffset at, CancellationToken ct)
        => InWriteAsync(context, async shadow =>
        {
            await shadow.RecordAckAsync(peer, position, at, async: true, ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>Marks the peer as rejoining (its watermark back to 0) or as done with it (<see cref="ShadowStore.WriteRejoiningAsync"/>).</summary>
    public static Task<bool> WriteRejoiningAsync(DbContext context, Guid peer, bool rejoining, CancellationToken ct)
        => InWriteAsync(context, async shadow =>
        {
            await shadow.WriteRejoiningAsync(peer, rejoining, async: true, ct).ConfigureAwait(false);
            return true;
        }, ct);

    private static async Task<T> InWriteAsync<T>(DbContext context, Func<ShadowStore, Task<T>> write, CancellationToken ct)
    {
        var transaction = await OwnedTransaction.BeginWriteAsync(context, async: true, ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var result = await write(context.GetService<StoreSession>().Shadow).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return result;
        }
    }
}
