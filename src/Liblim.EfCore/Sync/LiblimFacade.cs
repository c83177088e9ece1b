using Liblim.EfCore.Capture.Internal;
using Liblim.EfCore.Conflicts.Internal;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Sync.Internal;
using Liblim.EfCore.Sync.Transport;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore;

/// <summary>
/// Replication for one context, reached with <c>db.Liblim()</c> (as <c>db.Database</c> reaches the database):
/// the node id, sync with other replicas, and the rows held back.
/// </summary>
public sealed class LiblimFacade
{
    private Guid? _nodeId;

    internal LiblimFacade(DbContext context)
    {
        Context = context;
        Options = LiblimOptionsExtension.Of(context);
    }

    internal DbContext Context { get; }

    internal LiblimOptionsExtension Options { get; }

    /// <summary>
    /// This replica's node id: the configured one, else <c>LIBLIM_INSTANCE_ID</c>, else the id generated
    /// for this database on first use and kept in it; once a sync has found the database restored from an older copy
    /// (or copied), the new id it took then.
    /// </summary>
    public async Task<Guid> GetNodeIdAsync(CancellationToken cancellationToken = default)
    {
        if (_nodeId is { } known)
        {
            return known;
        }

        var session = Context.GetService<StoreSession>();
        var shadow = session.Shadow;
        await session.OpenConnectionAsync(async: true, cancellationToken).ConfigureAwait(false);
        try
        {
            if (await shadow.ReadClockAsync(async: true, cancellationToken).ConfigureAwait(false) is { } read)
            {
                _nodeId = read.NodeId;
                return read.NodeId;
            }
        }
        finally
        {
            await session.CloseConnectionAsync(async: true).ConfigureAwait(false);
        }

        // The state row's first use: created under its lock.
        var transaction = await OwnedTransaction.BeginWriteAsync(Context, async: true, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var state = await shadow.LockAsync(async: true, cancellationToken).ConfigureAwait(false);
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
        return Restarts.RunAsync(_ => InProcessSession.RunAsync(Context, other, cancellationToken));
    }

    /// <summary>
    /// Two-way sync with a liblim peer over TCP: both sides prove they know the secret, then each sends the
    /// changes the other lacks. Each received batch is applied atomically; a sync cut off halfway keeps what
    /// was applied and the next one continues from there.
    /// </summary>
    /// <param name="peer">The peer's address, <c>liblim://host:port</c> (or <c>liblims://</c> for TLS).</param>
    /// <param name="secret">The secret shared with the peer; it never crosses the wire.</param>
    /// <param name="progress">Told after each batch sent or applied.</param>
    /// <param name="cancellationToken">Cancels the sync; batches already applied stay applied.</param>
    /// <exception cref="ProtocolException">The peer could not be reached or authenticated, broke the protocol or reported an error.</exception>
    /// <exception cref="LiblimException">A batch from the peer cannot be applied here (see the exception type).</exception>
    public Task<SyncResult> SyncWithAsync(Uri peer, string secret, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
        => SyncWithAsync(peer, new LiblimClientOptions { Secret = secret }, progress, cancellationToken);

    /// <summary>
    /// Two-way sync with a liblim peer over TCP (<c>liblim://</c>, <c>liblims://</c>), or with a hub over a WebSocket
    /// (<c>wss://host/path</c>, authenticated by <see cref="LiblimClientOptions.AccessToken"/>), with limits and TLS settings.
    /// </summary>
    /// <inheritdoc cref="SyncWithAsync(Uri, string, IProgress{SyncProgress}?, CancellationToken)"/>
    public async Task<SyncResult> SyncWithAsync(Uri peer, LiblimClientOptions options, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(peer);
        var logger = Context.GetService<ILoggerFactory>().CreateLogger<LiblimFacade>();
        var settings = new SessionSettings(options.Limits, peer.ToString(), logger, TimeSpan.FromSeconds(1), progress)
        {
            PresentsTransportCredentials = !string.IsNullOrEmpty(options.AccessToken),
            Transport = LiblimTelemetry.TransportOf(peer),
        };
        var replica = ReplicaAccess.Over(Context);
        return await Restarts.RunAsync(async version =>
        {
            var connection = await PeerConnector.ConnectAsync(peer, options, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await SyncSession.RunClientAsync(connection, replica, options.Secret, live: false, settings with { Version = version }, cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Where this replica stands, read in one snapshot: its node id and feed head, how many rows it holds back, and for
    /// each peer how far it has applied the peer's feed, how many changes here the peer has not been sent, and how its
    /// last session went (when, with which address, and the error, if it failed).
    /// </summary>
    public async Task<LiblimStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var nodeId = await GetNodeIdAsync(cancellationToken).ConfigureAwait(false);
        var transaction = await OwnedTransaction.BeginSnapshotAsync(Context, async: true, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var shadow = Context.GetService<StoreSession>().Shadow;
            var peers = new List<PeerStatus>();
            foreach (var peer in (await shadow.ReadPeersAsync(async: true, cancellationToken).ConfigureAwait(false)).OrderBy(p => p.Peer))
            {
                var number = await shadow.FindNodeNumberAsync(peer.Peer, async: true, cancellationToken).ConfigureAwait(false);
                var pending = await shadow.CountChangedAfterAsync(peer.Fence, number, async: true, cancellationToken).ConfigureAwait(false);
                peers.Add(new PeerStatus(peer.Peer, peer.Applied, pending, peer.LastSync, peer.Address, peer.LastError, peer.Owner));
            }

            var held = (await shadow.ReadHeldAsync(null, async: true, cancellationToken).ConfigureAwait(false))
                .Count(r => r.IsHeldBack);
            return new LiblimStatus(nodeId, await shadow.ReadHeadAsync(async: true, cancellationToken).ConfigureAwait(false), held, peers)
            {
                Conflicts = await shadow.CountConflictsAsync(async: true, cancellationToken).ConfigureAwait(false),
            };
        }
    }

    /// <summary>
    /// Adopts the rows of replicated tables that have no replication metadata: rows stored before their entity was
    /// replicated, or written around Liblim (by another program, or a SQL console). Each gets a feed position, so that the
    /// next sync sends it, and a clock that any write made with replication on wins over (docs/semantics.md, "Existing
    /// rows"). Liblim adopts by itself at the first write or sync of each process; call this after rows were written
    /// around it while the app runs. Returns how many rows it adopted.
    /// </summary>
    public async Task<long> AdoptRowsAsync(CancellationToken cancellationToken = default)
    {
        var write = await ReplicaWrite.BeginAsync(Context, async: true, cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            await write.AdoptAgainAsync().ConfigureAwait(false);
            await write.StoreAsync().ConfigureAwait(false);
            await write.CommitAsync().ConfigureAwait(false);
            return write.Adopted;
        }
    }

    /// <summary>
    /// Collects the deleted rows that every peer heard from within <c>ForgetPeersAfter</c> has applied: their tombstones
    /// and kept values leave the metadata table (docs/semantics.md, "Collecting deleted rows"). Liblim collects by itself
    /// after sync sessions (at most ten times a second for one database in a process); call this to collect at another time. Returns how many deleted rows were collected.
    /// </summary>
    public Task<int> CollectDeletedRowsAsync(CancellationToken cancellationToken = default)
        => DeletedRowCollection.CollectAsync(Context, cancellationToken);

    /// <summary>
    /// The writes of this replica's that a server with scope rules refused (a row outside what it lets this replica write),
    /// the latest per row, oldest first, with the server's reason: kept until <see cref="ClearRefusedWritesAsync"/>. The
    /// server's own rows have undone them here already.
    /// </summary>
    public async Task<IReadOnlyList<RefusedWrite>> GetRefusedWritesAsync(CancellationToken cancellationToken = default)
    {
        var transaction = await OwnedTransaction.BeginSnapshotAsync(Context, async: true, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            return await Context.GetService<StoreSession>().Shadow.ReadRefusedAsync(async: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets the given refused writes (all of them when null), once the app has dealt with them.</summary>
    public async Task ClearRefusedWritesAsync(IEnumerable<RefusedWrite>? refused = null, CancellationToken cancellationToken = default)
    {
        var transaction = await OwnedTransaction.BeginWriteAsync(Context, async: true, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var shadow = Context.GetService<StoreSession>().Shadow;
            var rows = refused ?? await shadow.ReadRefusedAsync(async: true, cancellationToken).ConfigureAwait(false);
            await shadow.DeleteRefusedAsync(rows.Select(r => (r.Table, r.Key)), async: true, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The conflict journal: columns of rows that merges on this replica decided between two values written concurrently,
    /// with the value kept and the value that lost, their writers and times, newest first (docs/semantics.md, "Conflicts").
    /// A merge that decides nothing concurrent records nothing; the journal keeps what <c>UseLiblim(o => o.KeepConflicts(...))</c>
    /// allows (by default the latest 10,000).
    /// </summary>
    /// <param name="query">Which entries: by entity type, key and time, and a page of them; null: the latest 100.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public Task<IReadOnlyList<LiblimConflict>> GetConflictsAsync(ConflictQuery? query = null, CancellationToken cancellationToken = default)
        => ConflictJournal.ReadAsync(Context, query ?? new ConflictQuery(), cancellationToken);

    /// <summary>
    /// Writes a conflict's losing value back into its row as a new local write, which wins over every write the row has
    /// seen and syncs like any other. Entities the context tracks are not refreshed: reload them
    /// (<c>Entry(entity).ReloadAsync()</c>) to see it.
    /// </summary>
    /// <param name="conflict">An entry of <see cref="GetConflictsAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="LiblimException">The row is deleted, or this model lacks its table or column.</exception>
    public Task RestoreAsync(LiblimConflict conflict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        return ConflictJournal.RestoreAsync(Context, conflict, cancellationToken);
    }

    /// <summary>
    /// The rows held back here: they exist (their values are kept and they sync like any other row) but are not in
    /// their tables, because a row they reference is missing, deleted or held back, or another row keeps one of their
    /// unique values. Each says why and which row it waits for; it appears by itself once that is resolved.
    /// </summary>
    public async Task<IReadOnlyList<HeldBackRow>> GetHeldBackRowsAsync(CancellationToken cancellationToken = default)
    {
        var transaction = await OwnedTransaction.BeginSnapshotAsync(Context, async: true, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var session = Context.GetService<StoreSession>();
            var rows = await session.Shadow.ReadHeldAsync(null, async: true, cancellationToken).ConfigureAwait(false);
            var held = new List<HeldBackRow>();
            foreach (var row in rows.Where(r => r.IsHeldBack).OrderBy(r => r.Table, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal))
            {
                if (session.Model.FindTable(row.Table) is not { } table)
                {
                    continue;
                }

                var hold = row.Hold!;
                var values = RowStateCodec.Decode(table, row, null).Columns.ToDictionary(c => c.Key, c => c.Value.Json!, StringComparer.Ordinal);
                held.Add(new HeldBackRow(row.Table, row.Key, table.EntityName, (HoldBackReason)hold.Kind, hold.Table, hold.Key, hold.Index, values));
            }

            return held;
        }
    }

    /// <summary>
    /// Writes new values into a held-back row (which EF cannot load), as a local change that syncs like any other: for
    /// example a new value for a unique column another row keeps. The row is shown at once if nothing holds it back any more.
    /// </summary>
    /// <param name="row">A row from <see cref="GetHeldBackRowsAsync"/>.</param>
    /// <param name="values">New values by property name (or column name); keys cannot change.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="LiblimException">The row is not held back (any more): change it through EF.</exception>
    public Task UpdateHeldBackAsync(HeldBackRow row, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(values);
        return HeldRowWrite.WriteAsync(Context, row, values, cancellationToken);
    }

    /// <summary>Deletes a held-back row (which EF cannot load), as a local delete that syncs like any other.</summary>
    /// <param name="row">A row from <see cref="GetHeldBackRowsAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <exception cref="LiblimException">The row is not held back (any more): delete it through EF.</exception>
    public Task DeleteHeldBackAsync(HeldBackRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return HeldRowWrite.WriteAsync(Context, row, null, cancellationToken);
    }

    /// <summary>How far this database has applied the peer's feed.</summary>
    internal static async Task<long> ReadWatermarkAsync(DbContext context, Guid peer, CancellationToken ct)
        => (await PeerRecords.ReadAsync(context, peer, ct).ConfigureAwait(false)).Watermark;
}
