using System.Globalization;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>The peers table: how far this database has applied each peer's feed, and how far it has handed out its own.</summary>
internal sealed partial class ShadowStore
{
    /// <summary>The node id in use, the head, and the peer's watermark and fence (see <see cref="PeerPositions"/>).</summary>
    public async Task<PeerPositions> ReadPeerAsync(Guid peer, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        Guid? nodeId = null;
        long head = 0;
        long collected = 0;
        using (var command = session.CreateCommand(
                   $"SELECT {session.Column(n.StateNodeId)}, {session.Column(n.StateRetiredNodeId)}, {session.Column(n.StateSeq)}, {session.Column(n.StateCollectedSeq)} " +
                   $"FROM {session.Table(n.StateTable)} WHERE {session.Column(n.StateId)} = 1"))
        using (var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false))
        {
            if (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
            {
                nodeId = NodeIdInUse(ConfiguredNodeId, reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
                head = reader.GetInt64(2);
                collected = reader.IsDBNull(3) ? 0 : reader.GetInt64(3);
            }
        }

        if (n.FeedSequence is not null)
        {
            head = await ReadHeadAsync(async, ct).ConfigureAwait(false);
        }

        var now = session.Options.TimeProvider.GetUtcNow();
        using (var command = session.CreateCommand(
                   $"SELECT {session.Column(n.PeerReceivedSeq)}, {session.Column(n.PeerSentSeq)}, {session.Column(n.PeerReadHead)}, {session.Column(n.PeerRejoining)}, {session.Column(n.PeerAckedAt)} " +
                   $"FROM {session.Table(n.PeersTable)} WHERE {session.Column(n.PeerId)} = @p"))
        {
            StoreSession.AddParameter(command, "@p", peer.ToString("N"));
            using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
            return await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false)
                ? new PeerPositions(nodeId, head, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2),
                    !reader.IsDBNull(3) && reader.GetBoolean(3), collected, now,
                    !reader.IsDBNull(4) && Counts(DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), now))
                : new PeerPositions(nodeId, head, 0, null, 0, Collected: collected, ReadAt: now); // never recorded: checked against the head
        }
    }

    /// <summary>Whether a peer last heard from at <paramref name="ackedAt"/> counts for collection until well after <paramref name="now"/>.</summary>
    private bool Counts(DateTimeOffset ackedAt, DateTimeOffset now)
        => session.Options.ForgetPeersAfter is not { } forget || ackedAt >= now - forget / 2;

    /// <summary>
    /// Records how far into a peer's change sequence this database has applied. The watermark only moves forward:
    /// two syncs with the same peer at once (two processes on one database) each apply their batches, and the one
    /// that finishes last must not move it back to where it started.
    /// </summary>
    public Task WriteWatermarkAsync(Guid peer, long seq, bool async, CancellationToken ct)
        => RaiseAsync(peer, [session.Model.Shadow.PeerReceivedSeq], seq, async, ct);

    /// <summary>
    /// Moves the peer's fence and read head up to the head of this database's feed, before positions up to it, or a batch
    /// read at it, are handed to the peer, and returns it. Neither ever names a position this database does not hold, and
    /// both only move forward.
    /// </summary>
    public async Task<long> WriteFenceAsync(Guid peer, bool async, CancellationToken ct)
    {
        var head = await ReadHeadAsync(async, ct).ConfigureAwait(false);
        await RaiseAsync(peer, [session.Model.Shadow.PeerSentSeq, session.Model.Shadow.PeerReadHead], head, async, ct).ConfigureAwait(false);
        return head;
    }

    /// <summary>
    /// Binds the peer's node id to <paramref name="owner"/> unless it is bound already, and returns the owner it is bound to.
    /// </summary>
    public async Task<string> BindOwnerAsync(Guid peer, string owner, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var peers = session.Table(n.PeersTable);
        var column = session.Column(n.PeerOwner);
        await UpsertPeerAsync(peer, [(n.PeerOwner, owner)], $"{column} = COALESCE({peers}.{column}, excluded.{column})", async, ct).ConfigureAwait(false);

        using var read = session.CreateCommand($"SELECT {column} FROM {peers} WHERE {session.Column(n.PeerId)} = @p");
        StoreSession.AddParameter(read, "@p", peer.ToString("N"));
        using var reader = await StoreSession.ReadAsync(read, async, ct).ConfigureAwait(false);
        await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
        return reader.GetString(0);
    }

    /// <summary>
    /// Writes some of a peer's columns: a peer not recorded yet gets a row with them and its other positions at 0; a
    /// recorded one gets <paramref name="set"/> (a SET clause, where <c>excluded.&lt;column&gt;</c> is the value given).
    /// </summary>
    private async Task UpsertPeerAsync(Guid peer, (string Column, object? Value)[] values, string set, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var zeros = new[] { n.PeerReceivedSeq, n.PeerSentSeq, n.PeerReadHead }.Where(c => values.All(v => v.Column != c)).ToList();
        using var command = session.CreateCommand(
            $"INSERT INTO {session.Table(n.PeersTable)} ({session.Column(n.PeerId)}" +
            string.Concat(zeros.Concat(values.Select(v => v.Column)).Select(c => ", " + session.Column(c))) + ") " +
            $"VALUES (@p{string.Concat(zeros.Select(_ => ", 0"))}{string.Concat(values.Select((_, i) => $", @v{i}"))}) ON CONFLICT ({session.Column(n.PeerId)}) DO UPDATE SET {set}");
        StoreSession.AddParameter(command, "@p", peer.ToString("N"));
        for (var i = 0; i < values.Length; i++)
        {
            StoreSession.AddParameter(command, $"@v{i}", values[i].Value);
        }

        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }

    /// <summary>Raises some of a peer's positions to <paramref name="value"/> (a new peer's other positions are 0).</summary>
    private async Task RaiseAsync(Guid peer, string[] columns, long value, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var peers = session.Table(n.PeersTable);
        string[] all = [n.PeerReceivedSeq, n.PeerSentSeq, n.PeerReadHead];
        var raise = columns.Select(session.Column).Select(c =>
            $"{c} = CASE WHEN {peers}.{c} IS NULL OR {peers}.{c} < excluded.{c} THEN excluded.{c} ELSE {peers}.{c} END");
        using var command = session.CreateCommand(
            $"INSERT INTO {peers} ({session.Column(n.PeerId)}, {string.Join(", ", all.Select(session.Column))}) " +
            $"VALUES (@p, {string.Join(", ", all.Select(c => columns.Contains(c) ? "@v" : "0"))}) " +
            $"ON CONFLICT ({session.Column(n.PeerId)}) DO UPDATE SET {string.Join(", ", raise)}");
        StoreSession.AddParameter(command, "@p", peer.ToString("N"));
        StoreSession.AddParameter(command, "@v", value);
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }

    /// <summary>A number of the state row (0 when the row, or the value, is not there).</summary>
    private async Task<long> ReadStateAsync(string column, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(column)} FROM {session.Table(n.StateTable)} WHERE {session.Column(n.StateId)} = 1");
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        return await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false) && !reader.IsDBNull(0) ? reader.GetInt64(0) : 0;
    }
}
