using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore;

/// <summary>
/// Replication for one context, reached with <c>db.Liblim()</c> (as <c>db.Database</c> reaches the database):
/// the node id, and sync with other replicas.
/// </summary>
public sealed class LiblimFacade
{
    private Guid? _nodeId;

    internal LiblimFacade(DbContext context)
    {
        Context = context;
        Options = context.GetService<IDbContextOptions>().FindExtension<LiblimOptionsExtension>()
            ?? throw new LiblimException($"{context.GetType().Name} does not use Liblim: call UseLiblim() after UseSqlite/UseNpgsql in its options.");
    }

    internal DbContext Context { get; }

    internal LiblimOptionsExtension Options { get; }

    /// <summary>
    /// This replica's node id: the configured one, else <c>LIBLIM_INSTANCE_ID</c>, else the id generated
    /// for this database on first use and kept in it.
    /// </summary>
    public async Task<Guid> GetNodeIdAsync(CancellationToken cancellationToken = default)
    {
        if (_nodeId is { } known)
        {
            return known;
        }

        var transaction = await OwnedTransaction.BeginWriteAsync(Context, async: true, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var state = await new MetadataStore(new StoreSession(Context)).LockAsync(Options.NodeId, async: true, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _nodeId = state.NodeId;
            return state.NodeId;
        }
    }

    /// <summary>
    /// Two-way sync with another database in this process: each side receives the row states it lacks and
    /// merges them. Syncing again right after sends nothing new.
    /// </summary>
    /// <param name="other">A context on the other database; it must use Liblim and the same replicated model.</param>
    /// <param name="cancellationToken">Cancels the sync; batches already applied stay applied.</param>
    public Task<SyncResult> SyncWithAsync(DbContext other, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(other);
        return InProcessSync.SyncAsync(this, other.Liblim(), cancellationToken);
    }

    internal static async Task<long> ReadWatermarkAsync(DbContext context, Guid peer, CancellationToken ct)
    {
        var transaction = await OwnedTransaction.BeginSnapshotAsync(context, async: true, ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            return await new MetadataStore(new StoreSession(context)).ReadWatermarkAsync(peer, async: true, ct).ConfigureAwait(false);
        }
    }
}
