using System.Globalization;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Writes;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Deleted rows collected: the metadata rows of deleted rows (tombstones and kept values) that every counted peer has
/// applied are removed, and each node's greatest collected add tag is kept in the nodes table (<see cref="CollectedTags"/>).
/// </summary>
internal sealed partial class ShadowStore
{
    /// <summary>
    /// The position up to which deleted rows may be collected: the least position in this feed that a peer heard from
    /// at or after <paramref name="since"/> has said it applied; null when no peer was heard from then.
    /// </summary>
    public async Task<long?> ReadCollectionFloorAsync(DateTimeOffset since, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT min({session.Column(n.PeerAckedSeq)}) FROM {session.Table(n.PeersTable)} " +
            $"WHERE {session.Column(n.PeerAckedSeq)} IS NOT NULL AND {session.Column(n.PeerAckedAt)} >= @since");
        StoreSession.AddParameter(command, "@since", RoundTrip(since));
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        return await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false) && !reader.IsDBNull(0) ? reader.GetInt64(0) : null;
    }

    /// <summary>Whether any deleted row at or below <paramref name="floor"/> is left to collect (read without the write lock).</summary>
    public async Task<bool> HasDeletedRowsAsync(long floor, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT 1 FROM {session.Table(n.RowsTable)} WHERE {DeletedRow(n)} AND {session.Column(n.RowSeq)} <= @floor LIMIT 1");
        StoreSession.AddParameter(command, "@floor", floor);
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        return await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Collects at most <paramref name="limit"/> deleted rows not after <paramref name="floor"/>, under the state row's
    /// lock (so that no write or apply runs meanwhile). Returns how many rows it collected and whether it collected all.
    /// Only deleted and held rows keep their metadata in the metadata table, so finding them reads few rows.
    /// </summary>
    public async Task<(int Collected, bool Done)> CollectAsync(long floor, int limit, bool async, CancellationToken ct)
    {
        await LockAsync(async, ct).ConfigureAwait(false);
        var n = session.Model.Shadow;
        var deleted = DeletedRow(n);
        var horizons = new Dictionary<int, long>();
        var count = 0;
        long last = 0;
        using (var command = session.CreateCommand(""))
        {
            command.CommandText = $"SELECT {session.Column(n.RowSeq)}, {session.Column(n.RowClock)}, {session.Column(n.RowTombstones)} " +
                                  $"FROM {session.Table(n.RowsTable)} WHERE {deleted} AND {StoreSession.FeedStretch(command, session.Column(n.RowSeq), 0, floor, limit)}";
            using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
            while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
            {
                count++;
                last = reader.GetInt64(0);
                foreach (var (number, ticks) in CompactClocks.StoredTags(reader.GetString(2), reader.GetString(1)))
                {
                    horizons[number] = Math.Max(ticks, horizons.GetValueOrDefault(number));
                }
            }
        }

        if (count == 0)
        {
            return (0, true);
        }

        using (var command = session.CreateCommand(""))
        {
            var (seq, collected) = (session.Column(n.RowSeq), session.Column(n.StateCollectedSeq));
            command.CommandText = $"DELETE FROM {session.Table(n.RowsTable)} WHERE {deleted} AND {seq} <= @last;" +
                                  $"UPDATE {session.Table(n.StateTable)} SET {collected} = @last WHERE {session.Column(n.StateId)} = 1 AND ({collected} IS NULL OR {collected} < @last)";
            StoreSession.AddParameter(command, "@last", last);
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }

        var collectedTicks = session.Column(n.NodeCollectedTicks);
        foreach (var (number, ticks) in horizons)
        {
            using var command = session.CreateCommand(
                $"UPDATE {session.Table(n.NodesTable)} SET {collectedTicks} = @ticks " +
                $"WHERE {session.Column(n.NodeNumber)} = @number AND ({collectedTicks} IS NULL OR {collectedTicks} < @ticks)");
            StoreSession.AddParameter(command, "@ticks", ticks);
            StoreSession.AddParameter(command, "@number", number);
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }

        return (count, count < limit);
    }

    /// <summary>The greatest feed position of a deleted row collected here (0 when none has been).</summary>
    public Task<long> ReadCollectedSeqAsync(bool async, CancellationToken ct) => ReadStateAsync(session.Model.Shadow.StateCollectedSeq, async, ct);

    /// <summary>What was collected here of each node's add tags.</summary>
    public async Task<CollectedTags> ReadCollectedTagsAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var horizons = new Dictionary<Guid, long>();
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.NodeId)}, {session.Column(n.NodeCollectedTicks)} FROM {session.Table(n.NodesTable)} " +
            $"WHERE {session.Column(n.NodeCollectedTicks)} IS NOT NULL");
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            horizons[Guid.ParseExact(reader.GetString(0), "N")] = reader.GetInt64(1);
        }

        return new CollectedTags(horizons, RowAdoption.Node);
    }

    /// <summary>
    /// Records that the peer has applied this database's feed up to <paramref name="position"/>, as it said at
    /// <paramref name="at"/>; the position only moves forward.
    /// </summary>
    public Task RecordAckAsync(Guid peer, long position, DateTimeOffset at, bool async, CancellationToken ct)
        => UpsertPeerAsync(peer, AckValues(position, at), AckSet(), async, ct);

    /// <summary>
    /// The columns an ack writes: the position and when, and the fence raised to the position. The peer's position was
    /// checked against the fence, or against the head for a peer never recorded (a replica with a new node id knows this
    /// feed under its old one): either way this feed has been handed out that far under the peer's id from now on.
    /// </summary>
    private (string Column, object? Value)[] AckValues(long position, DateTimeOffset at)
    {
        var n = session.Model.Shadow;
        return [(n.PeerAckedSeq, position), (n.PeerAckedAt, RoundTrip(at)), (n.PeerSentSeq, position)];
    }

    /// <summary>The SET clause that raises a recorded peer's ack, and its fence, to the ones given, and records when.</summary>
    private string AckSet()
    {
        var n = session.Model.Shadow;
        var peers = session.Table(n.PeersTable);
        return string.Join(", ", new[] { n.PeerAckedSeq, n.PeerSentSeq }.Select(session.Column).Select(c =>
                   $"{c} = CASE WHEN {peers}.{c} IS NULL OR {peers}.{c} < excluded.{c} THEN excluded.{c} ELSE {peers}.{c} END"))
               + $", {session.Column(n.PeerAckedAt)} = excluded.{session.Column(n.PeerAckedAt)}";
    }

    /// <summary>
    /// Marks the peer as rejoining, or as done with it. A peer starts rejoining with this database's watermark for it at
    /// 0, so that it sends its whole feed, each state checked against what was collected here.
    /// </summary>
    public Task WriteRejoiningAsync(Guid peer, bool rejoining, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var flag = session.Column(n.PeerRejoining);
        return UpsertPeerAsync(peer, [(n.PeerRejoining, rejoining)],
            $"{flag} = excluded.{flag}" + (rejoining ? $", {session.Column(n.PeerReceivedSeq)} = 0" : ""), async, ct);
    }

    /// <summary>A metadata row of a deleted row: no add tag alive, some tombstone, not held.</summary>
    private string DeletedRow(Metadata.Internal.ShadowNames n)
        => $"{session.Column(n.RowAddTags)} IS NULL AND {session.Column(n.RowTombstones)} IS NOT NULL AND {session.Column(n.RowHeld)} IS NULL";

    private static string RoundTrip(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
