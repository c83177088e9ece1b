using System.Diagnostics;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Scopes.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// The database side of a sync session: either one context the app handed over (used one operation at a
/// time), or a context factory, from which each operation takes a short-lived context of its own, so that a
/// live session can read its feed and apply a peer's batch at the same time. It knows the node id in use, which
/// changes only when the database takes a new one (<see cref="RotateAsync"/>).
/// </summary>
internal sealed class ReplicaAccess
{
    private readonly DbContext? _context;
    private readonly Func<CancellationToken, Task<DbContext>>? _factory;
    private Guid? _nodeId;
    private ReplicaFeed? _feed;

    private ReplicaAccess(DbContext? context, Func<CancellationToken, Task<DbContext>>? factory)
    {
        _context = context;
        _factory = factory;
    }

    /// <summary>Whether operations may run concurrently (each gets its own context).</summary>
    public bool IsConcurrent => _factory is not null;

    /// <summary>The node id in use as last read, if it has been.</summary>
    public Guid? KnownNodeId => _nodeId;

    public static ReplicaAccess Over(DbContext context) => new(context, null);

    public static ReplicaAccess Over<TContext>(IDbContextFactory<TContext> factory)
        where TContext : DbContext
        => new(null, async ct => await factory.CreateDbContextAsync(ct).ConfigureAwait(false));

    /// <summary>Completes when the database's feed next moves in this process (<see cref="ReplicaFeed"/>).</summary>
    public async Task<Task> NextFeedMoveAsync(Guid node, CancellationToken ct)
        => (_feed ??= await UseAsync(c => Task.FromResult(c.GetService<ReplicaFeed>()), ct).ConfigureAwait(false)).NextMove(node);

    public async Task<Guid> GetNodeIdAsync(CancellationToken ct)
        => _nodeId ??= await UseAsync(c => c.Liblim().GetNodeIdAsync(ct), ct).ConfigureAwait(false);

    /// <summary>
    /// The positions a session says IHAZ with; the node id they name becomes the known one. Rows stored without metadata
    /// are adopted first, unless this process has caught up (<see cref="CatchUp"/>), so that the feed holds them.
    /// </summary>
    public async Task<PeerPositions> ReadPositionsAsync(Guid peer, CancellationToken ct)
    {
        var positions = await UseAsync(async c =>
        {
            var read = await PeerRecords.ReadAsync(c, peer, ct).ConfigureAwait(false);
            return await CatchUp.EnsureAsync(c, read.NodeId, ct).ConfigureAwait(false) ? await PeerRecords.ReadAsync(c, peer, ct).ConfigureAwait(false) : read;
        }, ct).ConfigureAwait(false);
        _nodeId = positions.NodeId;
        return positions;
    }

    /// <summary>
    /// The positions, once the feed's head has reached <paramref name="position"/>, a position of a write committed here: where
    /// positions are drawn (PostgreSQL), writes that drew lower positions and are still open hold the head below it until
    /// they end, which a group of a peer's batches does within its commit interval. Read as they are after
    /// <see cref="MaxHeadWait"/> (the rest goes at the next sync).
    /// </summary>
    public async Task<PeerPositions> ReadPositionsPastAsync(Guid peer, long position, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var moved = _nodeId is { } node ? await NextFeedMoveAsync(node, ct).ConfigureAwait(false) : Task.CompletedTask;
            var positions = await ReadPositionsAsync(peer, ct).ConfigureAwait(false);
            if (positions.Head >= position || waited.Elapsed >= MaxHeadWait)
            {
                return positions;
            }

            // Woken by a write of this process; a write of another process ends unannounced, so the head is read again soon.
            await Task.WhenAny(moved, Task.Delay(HeadPoll, ct)).ConfigureAwait(false);
        }
    }

    /// <summary>How long <see cref="ReadPositionsPastAsync"/> waits for the head at most.</summary>
    public static readonly TimeSpan MaxHeadWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan HeadPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Resolves the rules against the model, so that a rule for an entity that is not replicated fails now, not in a session.</summary>
    /// <exception cref="InvalidOperationException">A rule does not fit the model.</exception>
    public Task CheckScopesAsync(LiblimScopes scopes, CancellationToken ct)
        => UseAsync(c => Task.FromResult(scopes.ByTable(c.Model)), ct);

    /// <summary>Records how a session with a peer ended: when, with which address, and why it failed, if it did.</summary>
    public Task RecordSessionAsync(Guid peer, string address, string? error, (long Position, DateTimeOffset At)? acked, CancellationToken ct)
        => UseAsync(c => PeerRecords.RecordSessionAsync(c, peer, address, error, acked, ct), ct);

    /// <summary>Records how far the peer said it had applied this database's feed, and when.</summary>
    public Task RecordAckAsync(Guid peer, long position, DateTimeOffset at, CancellationToken ct)
        => UseAsync(c => PeerRecords.RecordAckAsync(c, peer, position, at, ct), ct);

    /// <summary>Marks the peer as rejoining after a collection of deleted rows it had not applied, or as done with it.</summary>
    public Task WriteRejoiningAsync(Guid peer, bool rejoining, CancellationToken ct)
        => UseAsync(c => PeerRecords.WriteRejoiningAsync(c, peer, rejoining, ct), ct);

    /// <summary>Collects the deleted rows every counted peer has applied, as a session does (<see cref="DeletedRowCollection.CollectAfterSessionAsync"/>).</summary>
    public Task<int> CollectAfterSessionAsync(Guid node, CancellationToken ct)
        => UseAsync(c => DeletedRowCollection.CollectAfterSessionAsync(c, node, ct), ct);

    public Task<long> FenceAsync(Guid peer, CancellationToken ct)
        => UseAsync(c => PeerRecords.FenceAsync(c, peer, ct), ct);

    /// <summary>Records rows as held by a peer served by scope, and as no longer held, before the batch that says so is sent.</summary>
    public Task WritePeerRowsAsync(string peer, IReadOnlyList<(string Table, string Key)> joined, IReadOnlyList<(string Table, string Key)> left, CancellationToken ct)
        => UseAsync(c => PeerRecords.WritePeerRowsAsync(c, peer, joined, left, ct), ct);

    /// <summary>Binds a peer's node id to the user a transport authenticated; returns the user it is bound to.</summary>
    public Task<string> BindOwnerAsync(Guid peer, string owner, CancellationToken ct)
        => UseAsync(c => PeerRecords.BindOwnerAsync(c, peer, owner, ct), ct);

    /// <summary>Whether a peer served by scope holds any row of this database's.</summary>
    public Task<bool> PeerHoldsAnyAsync(string peer, CancellationToken ct)
        => UseAsync(async c =>
        {
            var transaction = await OwnedTransaction.BeginSnapshotAsync(c, async: true, ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                return await c.GetService<StoreSession>().Shadow.HoldsAnyAsync(peer, async: true, ct).ConfigureAwait(false);
            }
        }, ct);

    /// <summary>Takes a new node id in place of <paramref name="retiring"/>; returns the one in use now.</summary>
    public async Task<Guid> RotateAsync(Guid retiring, CancellationToken ct)
    {
        var nodeId = await UseAsync(c => PeerRecords.RotateAsync(c, retiring, ct), ct).ConfigureAwait(false);
        _nodeId = nodeId;
        return nodeId;
    }

    public Task<FeedPage> ReadFeedAsync(long since, long? through, int limit, Guid peer, PeerBaseline? baseline, PeerScope? scope, CancellationToken ct)
        => UseAsync(c => ChangeFeed.ReadAsync(c, since, through, limit, peer, baseline, scope, async: true, ct), ct);

    /// <summary>Applies a peer's batches in groups, each group with a context of its own when there is a factory.</summary>
    /// <inheritdoc cref="ApplyGroup(Func{CancellationToken, Task{DbContext}}, bool, Action{CommittedChanges}?, Func{int}?)" path="/param[@name='committed' or @name='changedWanted']"/>
    public ApplyGroup BeginApplying(Action<CommittedChanges>? committed, Func<int>? changedWanted)
        => _context is not null ? new ApplyGroup(_context, committed, changedWanted) : new ApplyGroup(_factory!, ownsContexts: true, committed, changedWanted);

    private async Task<T> UseAsync<T>(Func<DbContext, Task<T>> operation, CancellationToken ct)
    {
        if (_context is not null)
        {
            return await operation(_context).ConfigureAwait(false);
        }

        var context = await _factory!(ct).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await operation(context).ConfigureAwait(false);
        }
    }
}
