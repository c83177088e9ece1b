using System.Data.Common;
using System.Diagnostics;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Scopes.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// Applies consecutive batches from one peer in one transaction, so that a bulk transfer commits, and writes the
/// pages it touched, once per group rather than once per batch. Each batch, with its feed position, is applied
/// inside a savepoint: a batch that fails is undone alone, and <see cref="KeepAppliedAsync"/> still commits the whole
/// batches before it, as it does when the transfer breaks off. So every batch applied whole is kept, as with a
/// commit per batch.
/// <para>
/// The receiver commits when it has nothing more at hand (the peer has sent nothing further yet, or said it is done);
/// a live change, which arrives alone, is committed at once. The group also commits by itself once it is as old as the
/// context's <c>SyncCommitInterval</c> (default 1 second) or holds <see cref="MaxStates"/> states, so that it never holds
/// the write lock long, and after every batch where a batch could fail at its commit (<see cref="FailsOnlyAtCommit"/>).
/// Live sessions are woken, and the changed rows reported, only after a commit. On SQLite the savepoints' journals are
/// kept in memory for the group, and the page cache is larger (<see cref="SqlDialect.BeginApplyingAsync"/>).
/// </para>
/// </summary>
internal sealed class ApplyGroup : IAsyncDisposable
{
    /// <summary>The most states one group applies before it commits.</summary>
    public const int MaxStates = 100_000;

    private const string Savepoint = "liblim_batch";

    private readonly Func<CancellationToken, Task<DbContext>> _open;
    private readonly bool _ownsContexts;
    private readonly Action<CommittedChanges>? _committed;
    private readonly Func<int> _changedWanted;
    private readonly List<ChangedRow> _changed = [];
    private readonly List<HeldBackRow> _heldBack = [];
    private readonly List<RefusedWrite> _refused = [];
    private DbContext? _context;
    private IAsyncDisposable? _applying;
    private OwnedTransaction? _transaction;
    private long _startedAt;
    private int _states;
    private int _changedCount;
    private Guid? _wake;
    private bool _batchAlone;
    private bool _concurrent; // the open group applies concurrently with others (ShadowStore.ConcurrentApply)
    private Guid? _node;
    private TimeSpan _maxDuration;

    /// <param name="open">Gives the context to apply with; called when a group begins.</param>
    /// <param name="ownsContexts">Whether each context <paramref name="open"/> gives is this group's to dispose after its commit.</param>
    /// <param name="committed">Told the rows each commit changed or held back, when there are any.</param>
    /// <param name="changedWanted">
    /// How many of the rows changed since the last commit <paramref name="committed"/> wants listed, asked after each
    /// batch; every changed row is counted, and only those are kept until the commit. A sync of many rows that nobody
    /// watches row by row so holds no row of its own past its batch (default: none without <paramref name="committed"/>,
    /// else all).
    /// </param>
    public ApplyGroup(Func<CancellationToken, Task<DbContext>> open, bool ownsContexts, Action<CommittedChanges>? committed, Func<int>? changedWanted = null)
    {
        _open = open;
        _ownsContexts = ownsContexts;
        _committed = committed;
        _changedWanted = changedWanted ?? (committed is null ? static () => 0 : static () => int.MaxValue);
    }

    /// <summary>A group over one context, which stays the caller's.</summary>
    public ApplyGroup(DbContext context, Action<CommittedChanges>? committed = null, Func<int>? changedWanted = null)
        : this(_ => Task.FromResult(context), ownsContexts: false, committed, changedWanted)
    {
    }

    /// <summary>
    /// Applies a batch in the group's transaction (beginning one if none is open); commits if the group is due. On PostgreSQL
    /// a group applies concurrently with other groups while its batches may (<see cref="CanApplyConcurrentlyAsync"/>); a
    /// batch that may not ends such a group first, and goes in a group that holds the state row's lock.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(RemoteBatch batch, CancellationToken ct)
    {
        if (_transaction is not null && _concurrent && !await CanApplyConcurrentlyAsync(batch, ct).ConfigureAwait(false))
        {
            await CommitAsync(ct).ConfigureAwait(false);
        }

        if (_transaction is null)
        {
            await BeginAsync(batch, concurrent: null, ct).ConfigureAwait(false);
        }

        try
        {
            return await ApplyInGroupAsync(batch, ct).ConfigureAwait(false);
        }
        catch (ConcurrentApplyRefusedException)
        {
            // Undone to its savepoint: the batches before it are kept, and it goes again under the lock.
            await CommitAsync(ct).ConfigureAwait(false);
            await BeginAsync(batch, concurrent: false, ct).ConfigureAwait(false);
            return await ApplyInGroupAsync(batch, ct).ConfigureAwait(false);
        }
    }

    private async Task BeginAsync(RemoteBatch batch, bool? concurrent, CancellationToken ct)
    {
        _context = await _open(ct).ConfigureAwait(false);
        try
        {
            var session = _context.GetService<StoreSession>();
            _applying = await session.Dialect.BeginApplyingAsync(_context, ct).ConfigureAwait(false);
            _transaction = await OwnedTransaction.BeginWriteAsync(_context, async: true, ct).ConfigureAwait(false);
            if (_transaction.IsOwned)
            {
                await session.Shadow.HoldFeedAsync(async: true, ct).ConfigureAwait(false);
            }

            _concurrent = concurrent ?? await CanApplyConcurrentlyAsync(batch, ct).ConfigureAwait(false);
            if (_concurrent)
            {
                await session.Shadow.EnterConcurrentApplyAsync(async: true, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            await EndAsync().ConfigureAwait(false);
            throw;
        }

        _startedAt = Stopwatch.GetTimestamp();
        _batchAlone = FailsOnlyAtCommit(_context);
        _maxDuration = _context.GetService<StoreSession>().Options.SyncCommitInterval;
    }

    /// <summary>
    /// Whether a batch may be applied concurrently with other groups: where positions are drawn (PostgreSQL), in a
    /// transaction of the group's own, once this process has caught the database up, and when every state is of a table
    /// of the model that no foreign key or unique index ties to other rows (whose rows are shown exactly when alive), and
    /// the batch brings no evictions or refusals from a server. A scoped peer's batch may, as long as it may write all of
    /// it (<see cref="ApplyAllowedAsync"/>).
    /// </summary>
    private async Task<bool> CanApplyConcurrentlyAsync(RemoteBatch batch, CancellationToken ct)
    {
        var session = _context!.GetService<StoreSession>();
        if (session.Model.Shadow.FeedSequence is null || !_transaction!.IsOwned || batch.Evictions.Count > 0 || batch.Refusals.Count > 0)
        {
            return false;
        }

        foreach (var state in batch.States)
        {
            if (session.Model.FindTable(state.Table) is not { IsUnconstrained: true })
            {
                return false;
            }
        }

        _node ??= (await session.Shadow.ReadClockAsync(async: true, ct).ConfigureAwait(false))?.NodeId;
        return _node is { } node && _context!.GetService<CatchUp>().IsDone(CatchUp.KeyOf(node, _context!));
    }

    /// <summary>Applies a batch in the open group, in a savepoint of its own; commits if the group is due.</summary>
    private async Task<ApplyResult> ApplyInGroupAsync(RemoteBatch batch, CancellationToken ct)
    {
        await _transaction!.SaveAsync(Savepoint, ct).ConfigureAwait(false);
        ApplyResult result;
        try
        {
            if (batch.Scope is { } scope)
            {
                result = await ApplyAllowedAsync(batch, scope, ct).ConfigureAwait(false);
            }
            else
            {
                result = await ApplyBatchAsync(batch, ct).ConfigureAwait(false);
            }

            var evicted = await ScopedBatch.ApplyAsync(_context!, batch, result.Forget, ct).ConfigureAwait(false);
            result = evicted.Count == 0 ? result : result with { Changed = [.. result.Changed, .. evicted] };
        }
        catch (Exception) when (_transaction.IsOwned)
        {
            await _transaction.RollbackToAsync(Savepoint, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await _transaction.ReleaseAsync(Savepoint, ct).ConfigureAwait(false);
        _states += result.Received;
        KeepChanged(result.Changed);
        _heldBack.AddRange(result.HeldBack);
        _refused.AddRange(batch.Refusals);
        if (result.Applied > 0 || _context!.GetService<StoreSession>().Model.Shadow.FeedSequence is not null)
        {
            // Where positions are drawn, the group's end may also let the feed's head past other writes' positions.
            _wake = result.Node;
        }

        if (_batchAlone || !_transaction.IsOwned || _states >= MaxStates || Stopwatch.GetElapsedTime(_startedAt) >= _maxDuration
            || (_concurrent && _context!.GetService<StoreSession>().NumberedNodes))
        {
            // In the app's own transaction, the app commits; what there is to report is reported now.
            await CommitAsync(ct).ConfigureAwait(false);
        }

        return result;
    }

    private void KeepChanged(IReadOnlyList<ChangedRow> changed)
    {
        _changedCount += changed.Count;
        var room = _changedWanted() - _changed.Count;
        if (room > 0)
        {
            _changed.AddRange(room >= changed.Count ? changed : changed.Take(room));
        }
    }

    private async Task<ApplyResult> ApplyBatchAsync(RemoteBatch batch, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Keys new here are inserted without reading them first; the savepoint lets a wrong guess be undone.
                return await RowStateApplier.ApplyAsync(_context!, batch, async: true, ct, newKeysHaveNoRow: attempt == 1 && _transaction!.IsOwned).ConfigureAwait(false);
            }
            catch (DbException) when (_concurrent && batch.Scope is not null)
            {
                // The write check judged the rows as they were before: a key a concurrent apply inserted since is judged
                // again, with the whole batch, under the lock.
                throw new ConcurrentApplyRefusedException();
            }
            catch (DbException e) when (_transaction!.IsOwned && (attempt == 1 || (_concurrent && attempt < MaxAttempts && MeetsConcurrentWrite(e))))
            {
                // A new key had a row already (stored before its table was replicated, or inserted by a concurrent apply), the
                // rows were locked in a cycle with a concurrent apply (which PostgreSQL broke by failing this one), or the
                // batch fails anyway: again, reading every key's row first, which either applies it or fails the same way
                // for the caller to see.
                await _transaction.RollbackToAsync(Savepoint, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How often a concurrent apply tries a batch that meets the writes of other concurrent applies.</summary>
    private const int MaxAttempts = 5;

    /// <summary>A deadlock, a serialization failure or a key inserted at the same time: what meeting a concurrent write fails with.</summary>
    private static bool MeetsConcurrentWrite(DbException e) => e.SqlState is "40P01" or "40001" or "23505";

    /// <summary>
    /// Applies what a peer served by scope may write of a batch (<see cref="WriteCheck"/>): the batch without what no rule
    /// lets it write, then, as long as the result puts some row outside its scope, again without those; and answers each
    /// refused write with this database's row (<see cref="Corrections"/>). A group applying concurrently with others applies
    /// only a batch it may write whole: one with a refused write goes again under the lock, where the correction is
    /// stamped and the rows judged again stay as judged.
    /// </summary>
    private async Task<ApplyResult> ApplyAllowedAsync(RemoteBatch batch, PeerScope scope, CancellationToken ct)
    {
        if (!_transaction!.IsOwned)
        {
            throw new InvalidOperationException("A server that serves peers by scope applies their batches in transactions of its own: give it a context factory.");
        }

        var check = await WriteCheck.BeforeAsync(_context!, scope, batch.States, ct).ConfigureAwait(false);
        while (true)
        {
            if (_concurrent && check.Refused.Count > 0)
            {
                throw new ConcurrentApplyRefusedException();
            }

            var allowed = batch with { States = check.Allowed(batch.States) };
            var result = await ApplyBatchAsync(allowed, ct).ConfigureAwait(false);
            if (!await check.RefuseAfterAsync(_context!, allowed.States, ct).ConfigureAwait(false))
            {
                var (correct, forget) = await check.AnswersAsync(_context!, ct).ConfigureAwait(false);
                await Corrections.WriteAsync(_context!, correct, ct).ConfigureAwait(false);
                if (correct.Count > 0)
                {
                    _wake = result.Node; // the corrections are this database's writes: live sessions send them once committed
                }

                return result with { Received = batch.States.Count, Refused = [.. check.Refused.Select(r => r.Refusal)], Forget = forget };
            }

            await _transaction.RollbackToAsync(Savepoint, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Commits what the group applied, if anything; then wakes live sessions and reports the changed rows.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (_transaction is null)
        {
            return;
        }

        var context = _context!;
        var feed = context.GetService<ReplicaFeed>();
        var session = context.GetService<StoreSession>();
        if (_concurrent && session.Advanced != default)
        {
            // The clock raised once, for the whole group, so that the state row is locked only until the commit just after.
            await session.Shadow.AdvanceAsync(session.Advanced.Seq, session.Advanced.Clock, async: true, ct).ConfigureAwait(false);
        }

        await _transaction.CommitAsync(ct).ConfigureAwait(false);
        await EndAsync().ConfigureAwait(false);
        if (_wake is { } node)
        {
            feed.Moved(node);
        }

        if (_changedCount > 0 || _heldBack.Count > 0 || _refused.Count > 0)
        {
            _committed?.Invoke(new CommittedChanges([.. _changed], _changedCount, [.. _heldBack], [.. _refused]));
        }

        _changed.Clear();
        _changedCount = 0;
        _heldBack.Clear();
        _refused.Clear();
        _states = 0;
        _wake = null;
    }

    /// <summary>
    /// After a failure (the transfer broke off, a batch was refused, the sync was cancelled): commits the whole batches
    /// applied so far. If that fails too, they are rolled back and the peer sends them again next time; the failure that
    /// ended the transfer is the one to report, so this one is not thrown.
    /// </summary>
    public async Task KeepAppliedAsync()
    {
        try
        {
            await CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await EndAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether a batch may fail only when it commits: where foreign key checks wait for the commit (SQLite) and a table
    /// Liblim does not replicate references a replicated one with NO ACTION, a batch removing a referenced row would
    /// take the whole batches before it down with it, so each batch commits alone.
    /// </summary>
    private static bool FailsOnlyAtCommit(DbContext context)
        => context.GetService<StoreSession>().Dialect.DeferForeignKeysSql is not null
           && ReplicationModel.For(context.Model).HasUnreplicatedNoActionReferences;

    /// <summary>Rolls back what was not committed.</summary>
    public ValueTask DisposeAsync() => new(EndAsync());

    private async Task EndAsync()
    {
        var transaction = _transaction;
        var applying = _applying;
        var context = _context;
        _transaction = null;
        _applying = null;
        _context = null;
        if (context is not null)
        {
            var session = context.GetService<StoreSession>();
            (session.ConcurrentApply, session.Advanced, session.NumberedNodes, session.FeedHeldIn) = (false, default, false, null);
        }

        _concurrent = false;
        if (transaction is not null)
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }

        if (applying is not null)
        {
            await applying.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsContexts && context is not null)
        {
            await context.DisposeAsync().ConfigureAwait(false);
        }
    }
}
