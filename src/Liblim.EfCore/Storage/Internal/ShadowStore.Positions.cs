namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Feed positions and the feed's head. On SQLite, one transaction writes at a time: positions count on from the state
/// row's head under its lock, and the head is the state row's. Where several transactions write at once (PostgreSQL,
/// where the model has a feed sequence, <see cref="Metadata.Internal.ShadowNames.FeedSequence"/>), positions are drawn
/// from the sequence, and they need not commit in their order: the head is then a watermark, the greatest position up to
/// which every position drawn has committed or rolled back.
/// <para>
/// The watermark: before a transaction draws its first position it holds a shared advisory lock whose key carries the
/// sequence's last value as it read it (below 2^48, tagged in the key's top bits with a hash of Liblim's state table name), and every
/// position it then draws is above that value. It holds the lock until it ends, and PostgreSQL releases a transaction's
/// locks only once its commit is visible to new snapshots. A reader reads the sequence's last value, then the smallest
/// value any such lock carries, and takes the smaller: every position up to it belongs to a transaction that has ended.
/// A lock taken after the reader read the sequence carries a value at least as large, so the head never moves back.
/// </para>
/// </summary>
internal sealed partial class ShadowStore
{
    private const int PositionBits = 48;

    /// <summary>
    /// Draws <paramref name="count"/> positions for the current transaction, in the order drawn, after taking a hold on the
    /// watermark for it (also when <paramref name="count"/> is 0) unless the transaction holds one outside its savepoints
    /// (<see cref="HoldFeedAsync"/>). Only where the model has a feed sequence.
    /// </summary>
    public async Task<long[]> DrawPositionsAsync(int count, bool async, CancellationToken ct)
    {
        var sequence = FeedSequenceName();
        var held = session.FeedHeldIn is { } t && t == session.CurrentTransactionId;
        if (held && count == 0)
        {
            return [];
        }

        using var command = session.CreateCommand(
            (held ? "" : $"SELECT pg_advisory_xact_lock_shared(@tag | ({LastValue(sequence)}));") +
            $"SELECT nextval({SequenceLiteral(sequence)}) FROM generate_series(1, @n)");
        StoreSession.AddParameter(command, "@tag", LockTag());
        StoreSession.AddParameter(command, "@n", count);
        var positions = new long[count];
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        if (!held)
        {
            await StoreSession.NextResultAsync(reader, async, ct).ConfigureAwait(false);
        }

        for (var i = 0; i < count && await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false); i++)
        {
            positions[i] = reader.GetInt64(0);
        }

        return positions;
    }

    /// <summary>
    /// Holds back the watermark for the rest of the current transaction, for every write in it: taken before any savepoint
    /// (rolling back to a savepoint releases the locks taken after it), it saves each write in the transaction a lock of
    /// its own (a group of hundreds of batches would fill PostgreSQL's lock table). Nothing to do without a feed sequence.
    /// </summary>
    public async Task HoldFeedAsync(bool async, CancellationToken ct)
    {
        if (session.Model.Shadow.FeedSequence is null)
        {
            return;
        }

        session.FeedHeldIn = null;
        await DrawPositionsAsync(0, async, ct).ConfigureAwait(false);
        session.FeedHeldIn = session.CurrentTransactionId;
    }

    /// <summary>
    /// The head of this database's feed: the last position of a committed write on SQLite; where positions are drawn from
    /// a sequence, the watermark (see the type). Read it before the snapshot a feed is read in, never inside it: a
    /// position below the head must be one the snapshot sees.
    /// </summary>
    public async Task<long> ReadHeadAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        if (n.FeedSequence is null)
        {
            return await ReadStateAsync(n.StateSeq, async, ct).ConfigureAwait(false);
        }

        // The sequence first, then the locks: two statements, run in this order (one statement could read them in any).
        var sequence = FeedSequenceName();
        using var command = session.CreateCommand(
            $"SELECT greatest(({LastValue(sequence)}), coalesce((SELECT {session.Column(n.StateSeq)} FROM {session.Table(n.StateTable)} " +
            $"WHERE {session.Column(n.StateId)} = 1), 0));" +
            $"SELECT min(((classid::bigint & 65535) << 32) | objid::bigint) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 " +
            $"AND classid::bigint >> 16 = @tag >> {PositionBits} AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
        StoreSession.AddParameter(command, "@tag", LockTag());
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
        var last = reader.GetInt64(0);
        await StoreSession.NextResultAsync(reader, async, ct).ConfigureAwait(false);
        await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
        return reader.IsDBNull(0) ? last : Math.Min(last, reader.GetInt64(0));
    }

    /// <summary>
    /// Moves the feed sequence past the state row's head when it is behind it: a database whose positions were counted
    /// from the state row before it had the sequence. Only under the state row's lock, before this process draws.
    /// </summary>
    public async Task AlignFeedSequenceAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        if (n.FeedSequence is null)
        {
            return;
        }

        var sequence = FeedSequenceName();
        using var command = session.CreateCommand(
            $"SELECT setval({SequenceLiteral(sequence)}, h.{session.Column(n.StateSeq)}) FROM {session.Table(n.StateTable)} AS h " +
            $"WHERE h.{session.Column(n.StateId)} = 1 AND h.{session.Column(n.StateSeq)} > ({LastValue(sequence)})");
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }

    /// <summary>The feed sequence's next value, as SQL: how a statement that numbers rows itself draws their positions.</summary>
    public string NextPositionSql() => $"nextval({SequenceLiteral(FeedSequenceName())})";

    private string FeedSequenceName()
        => session.Model.Shadow.FeedSequence is { } s ? session.Table(s) : throw new InvalidOperationException("This database counts feed positions from the state row.");

    // The last value drawn (0 before the first).
    private static string LastValue(string sequence) => $"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}";

    private static string SequenceLiteral(string sequence) => $"'{sequence.Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>
    /// The top bits of the watermark's locks, shifted in place: 0x4000 and 14 bits of <see cref="LockNameHash"/>, so that
    /// the feeds of two models in one database (two schemas) hold back neither each other nor the app's own advisory
    /// locks, and the key stays positive.
    /// </summary>
    private long LockTag() => (0x4000L | (LockNameHash() & 0x3FFF)) << PositionBits;
}
