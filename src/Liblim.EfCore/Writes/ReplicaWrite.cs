using Liblim.EfCore.Crdt;
using Liblim.EfCore.Projection;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Writes;

/// <summary>
/// One replicated write transaction: the one way a replica's rows change, whether by a SaveChanges (capture), a write to a
/// held-back row (the facade) or a peer's batch (merge). It locks the state row, which hands out the clock one transaction
/// at a time, and feed positions too on SQLite (on PostgreSQL they are drawn from a sequence: <see cref="ReserveAsync"/>,
/// <c>ShadowStore.Positions</c>); takes the rows' new states, with the position each is stored at; brings what the
/// tables show in line with them and stores their metadata rows (<see cref="StoreAsync"/>); advances the feed and the
/// clock, and a peer's watermark; commits the transaction it began; and then raises <see cref="ReplicaFeed"/>.
/// </summary>
internal sealed class ReplicaWrite : IAsyncDisposable
{
    private readonly DbContext _context;
    private readonly StoreSession _session;
    private readonly OwnedTransaction _transaction;
    private readonly bool _async;
    private readonly CancellationToken _ct;
    private readonly ParsedValues? _parsed;
    private readonly List<ShadowRow> _stored = [];
    private readonly HashSet<(string Table, string Key)> _storedWithData = [];
    private Reconciler? _reconciler;
    private long _seq;
    private long[]? _drawn; // where positions come from the feed sequence: those reserved, taken from _next on
    private int _next;
    private bool _holding; // this write's transaction holds back the feed's watermark
    private bool _handedOut;
    private long _clock;
    private (Guid Peer, long Position)? _watermark;
    private List<JournaledConflict>? _conflicts;
    private string? _caughtUp;

    private ReplicaWrite(DbContext context, StoreSession session, OwnedTransaction transaction, ReplicaClock locked, bool async, CancellationToken ct, ParsedValues? parsed)
    {
        _context = context;
        _session = session;
        _transaction = transaction;
        _seq = locked.Seq;
        _drawn = session.Model.Shadow.FeedSequence is null ? null : [];
        _clock = locked.Clock;
        NodeId = locked.NodeId;
        _async = async;
        _ct = ct;
        _parsed = parsed;
    }

    /// <summary>This database's node id, as the lock read it.</summary>
    public Guid NodeId { get; }

    /// <summary>The greatest feed position this write has handed out; 0 when none.</summary>
    public long HandedOut => _handedOut ? _seq : 0;

    /// <summary>Whether Liblim began the transaction (rather than joining the app's or a caller's).</summary>
    public bool IsOwned => _transaction.IsOwned;

    /// <summary>
    /// Begins a write: the transaction (<paramref name="transaction"/>, else one Liblim begins, or the context's current one
    /// joined) and the state row's lock. Disposes the transaction if the lock cannot be had.
    /// </summary>
    /// <param name="context">The context of the database written.</param>
    /// <param name="async">Whether to run the database work asynchronously.</param>
    /// <param name="ct">Cancels it.</param>
    /// <param name="transaction">The transaction Liblim has begun for the write already, if it has.</param>
    /// <param name="parsed">Model values already parsed from the states' texts, for the reconciler.</param>
    public static async Task<ReplicaWrite> BeginAsync(DbContext context, bool async, CancellationToken ct, OwnedTransaction? transaction = null, ParsedValues? parsed = null)
    {
        var session = context.GetService<StoreSession>();
        transaction ??= await OwnedTransaction.BeginWriteAsync(context, async, ct).ConfigureAwait(false);
        try
        {
            if (session.ConcurrentApply)
            {
                // Caught up before the group began; the clock is raised at the group's commit.
                var read = await session.Shadow.ReadClockAsync(async, ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("A concurrent apply needs the state row.");
                return new ReplicaWrite(context, session, transaction, read, async, ct, parsed);
            }

            var locked = await session.Shadow.LockAsync(async, ct).ConfigureAwait(false);
            var write = new ReplicaWrite(context, session, transaction, locked, async, ct, parsed);
            await write.CatchUpAsync().ConfigureAwait(false);
            return write;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Catches the database up (<see cref="CatchUp"/>) unless this process has: adopts the rows stored without metadata,
    /// at the first positions this write hands out (the feed's head moves past them at once, whatever the write does
    /// next), and reconciles the rows that keep values of columns their tables now have.
    /// </summary>
    private async Task CatchUpAsync(bool always = false)
    {
        var catchUp = _context.GetService<CatchUp>();
        var database = CatchUp.KeyOf(NodeId, _context);
        if (!always && catchUp.IsDone(database))
        {
            return;
        }

        await _session.Shadow.AlignFeedSequenceAsync(_async, _ct).ConfigureAwait(false);
        await ReserveAsync(0).ConfigureAwait(false); // adoption draws from the sequence in SQL, under the transaction's hold
        var adopted = await RowAdoption.AdoptAsync(_session, _seq, _async, _ct).ConfigureAwait(false);
        var shown = await NewerModelRows.ShowNowKnownAsync(this, _session, _async, _ct).ConfigureAwait(false);
        if (adopted == 0 && shown == 0)
        {
            catchUp.Done(database);
            return;
        }

        _caughtUp = database;
        if (adopted > 0)
        {
            _seq += _drawn is null ? adopted : 0;
            _handedOut = true;
            Adopted = adopted;
            await _session.Shadow.AdvanceAsync(_seq, _clock, _async, _ct).ConfigureAwait(false);
        }
    }

    /// <summary>How many rows this write adopted (<see cref="RowAdoption"/>).</summary>
    public long Adopted { get; private set; }

    /// <summary>Adopts the rows stored without metadata whether or not this process has caught up before.</summary>
    public Task AdoptAgainAsync() => _caughtUp is not null ? Task.CompletedTask : CatchUpAsync(always: true);

    /// <summary>The timestamp of a local write: the next tick of the hybrid clock, from the configured wall clock.</summary>
    public HybridTimestamp Stamp()
    {
        if (_session.ConcurrentApply)
        {
            throw new InvalidOperationException("A concurrent apply stamps nothing: its clock is not locked.");
        }

        _clock = HybridClock.Next(_clock, _session.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        return new HybridTimestamp(_clock, NodeId);
    }

    /// <summary>Raises the clock to the greatest ticks received, so that a later local write orders after them.</summary>
    public void Receive(long remoteTicks) => _clock = HybridClock.Receive(_clock, remoteTicks);

    /// <summary>
    /// Makes sure that <paramref name="count"/> more positions can be handed out without a round trip: where positions are
    /// drawn from the feed sequence, draws those missing (and holds back the feed's watermark, once per write); nothing to
    /// do on SQLite, where they count on from the state row's head.
    /// </summary>
    public async Task ReserveAsync(int count)
    {
        if (_drawn is null || (_holding && _drawn.Length - _next >= count))
        {
            return;
        }

        var more = await _session.Shadow.DrawPositionsAsync(Math.Max(0, count - (_drawn.Length - _next)), _async, _ct).ConfigureAwait(false);
        _drawn = [.. _drawn.AsSpan(_next), .. more];
        _next = 0;
        _holding = true;
    }

    /// <summary>Hands out the next feed position (reserved first where positions are drawn: <see cref="ReserveAsync"/>).</summary>
    public long NextSeq()
    {
        var seq = PeekSeq();
        _next += _drawn is null ? 0 : 1;
        _seq = Math.Max(_seq, seq);
        _handedOut = true;
        return seq;
    }

    /// <summary>The position <see cref="NextSeq"/> hands out next.</summary>
    public long PeekSeq()
        => _drawn is null ? _seq + 1
            : _next < _drawn.Length ? _drawn[_next]
            : throw new InvalidOperationException("No feed position is reserved for this write: ReserveAsync first.");

    /// <summary>A row's new metadata row when it follows from the row's state alone (what is shown changes as EF wrote it).</summary>
    public void Store(ShadowRow row) => _stored.Add(row);

    /// <summary>Notes that EF writes a row's metadata with its data row (in the row's metadata columns): it is not written again.</summary>
    public void WrittenWithData(ShadowRow row) => _storedWithData.Add((row.Table, row.Key));

    /// <summary>A row's new state, stored at <paramref name="seq"/>; what its table shows is reconciled with it.</summary>
    /// <inheritdoc cref="Reconciler.Change" path="/param"/>
    public void Change(ReplicatedTable table, RowState state, ShadowRow? before, long seq, string? source, object?[]? data = null, bool dataKnown = false, string? mergedFrom = null)
        => (_reconciler ??= new Reconciler(_session, _async, _ct, _parsed)).Change(table, state, before, seq, source, data, dataKnown, mergedFrom);

    /// <summary>Records, with the write, the columns a merge of a row decided between concurrent writes.</summary>
    public void Journal(ReplicatedTable table, string key, List<ColumnConflict> conflicts)
    {
        if (_session.Options.KeepConflicts > 0)
        {
            var at = _session.Options.TimeProvider.GetUtcNow();
            (_conflicts ??= []).AddRange(conflicts.Select(c => new JournaledConflict(0, table.Name, key, c, at)));
        }
    }

    /// <summary>How many conflicts this write journals.</summary>
    public int Conflicts => _conflicts?.Count ?? 0;

    /// <summary>Records, with the write, how far into a peer's feed this database has applied.</summary>
    public void Watermark(Guid peer, long position) => _watermark = (peer, position);

    /// <summary>
    /// Brings what the tables show in line with the changed states, stores the metadata rows, and advances the feed, the
    /// clock and the peer's watermark; returns what changed for the app.
    /// </summary>
    public async Task<ReconcileResult> StoreAsync()
    {
        var result = _reconciler is null ? ReconcileResult.None : await _reconciler.RunAsync().ConfigureAwait(false);
        var metadata = _session.Shadow;
        _storedWithData.UnionWith(result.WrittenWithData);
        await metadata.WriteRowsAsync(result.Metadata.Count == 0 ? _stored : [.. _stored, .. result.Metadata], _storedWithData, _async, _ct).ConfigureAwait(false);
        if (_session.ConcurrentApply)
        {
            _session.Advanced = (Math.Max(_session.Advanced.Seq, _seq), Math.Max(_session.Advanced.Clock, _clock));
        }
        else
        {
            await metadata.AdvanceAsync(_seq, _clock, _async, _ct).ConfigureAwait(false);
        }

        if (_watermark is { } watermark)
        {
            await metadata.WriteWatermarkAsync(watermark.Peer, watermark.Position, _async, _ct).ConfigureAwait(false);
        }

        if (_conflicts is not null)
        {
            await metadata.WriteConflictsAsync(_conflicts, _session.Options.KeepConflicts, _session.Options.KeepConflictsFor, _async, _ct).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Commits the transaction Liblim began (the app's, or a caller's, is committed by its owner, who then raises the
    /// event), then tells live sessions that the feed moved, if it did.
    /// </summary>
    public async Task CommitAsync()
    {
        await _transaction.CommitAsync(_ct).ConfigureAwait(false);
        if (_caughtUp is not null && _transaction.IsOwned)
        {
            // Caught up in the app's transaction, it is done once that commits: the next write finds nothing to do.
            _context.GetService<CatchUp>().Done(_caughtUp);
        }

        if (_handedOut && _transaction.IsOwned)
        {
            _context.GetService<ReplicaFeed>().Moved(NodeId);
        }
    }

    /// <summary>Rolls back what was not committed, in a transaction Liblim began.</summary>
    public ValueTask DisposeAsync() => _transaction.DisposeAsync();
}
