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
        using (var command = session.CreateCommand(
                   $"SELECT {session.Column(n.StateNodeId)}, {session.Column(n.StateRetiredNodeId)}, {session.Column(n.StateSeq)} " +
                   $"FROM {session.Table(n.StateTable)} WHERE {session.Column(n.StateId)} = 1"))
        using (var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false))
        {
            if (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
            {
                nodeId = NodeIdInUse(ConfiguredNodeId, reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
                head = reader.GetInt64(2);
            }
        }

        using (var command = session.CreateCommand(
                   $"SELECT {session.Column(n.PeerReceivedSeq)}, {session.Column(n.PeerSentSeq)} FROM {session.Table(n.PeersTable)} WHERE {session.Column(n.PeerId)} = @p"))
        {
            StoreSession.AddParameter(command, "@p", peer.ToString("N"));
            using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
            return await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false)
                ? new PeerPositions(nodeId, head, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1))
                : new PeerPositions(nodeId, head, 0, 0);
        }
    }

    /// <summary>
    /// Records how far into a peer's change sequence this database has applied. The watermark only moves forward:
    /// two syncs with the same peer at once (two processes on one database) each apply their batches, and the one
    /// that finishes last must not move it back to where it started.
    /// </summary>
    public Task WriteWatermarkAsync(Guid peer, long seq, bool async, CancellationToken ct)
        => RaiseAsync(peer, session.Model.Shadow.PeerReceivedSeq, seq, async, ct);

    /// <summary>
    /// Moves the peer's fence up to the head of this database's feed, before positions up to it are handed to the peer,
    /// and returns it. The fence never names a position this database does not hold, and only moves forward.
    /// </summary>
    public async Task<long> WriteFenceAsync(Guid peer, bool async, CancellationToken ct)
    {
        var head = await ReadHeadAsync(async, ct).ConfigureAwait(false);
        await RaiseAsync(peer, session.Model.Shadow.PeerSentSeq, head, async, ct).ConfigureAwait(false);
        return head;
    }

    /// <summary>Raises one of a peer's two positions to <paramref name="value"/> (a new peer's other position is 0).</summary>
    private async Task RaiseAsync(Guid peer, string column, long value, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var peers = session.Table(n.PeersTable);
        var raised = session.Column(column);
        using var command = session.CreateCommand(
            $"INSERT INTO {peers} ({session.Column(n.PeerId)}, {session.Column(n.PeerReceivedSeq)}, {session.Column(n.PeerSentSeq)}) " +
            $"VALUES (@p, {(column == n.PeerReceivedSeq ? "@v, 0" : "0, @v")}) " +
            $"ON CONFLICT ({session.Column(n.PeerId)}) DO UPDATE SET {raised} = excluded.{raised} WHERE {peers}.{raised} IS NULL OR {peers}.{raised} < excluded.{raised}");
        StoreSession.AddParameter(command, "@p", peer.ToString("N"));
        StoreSession.AddParameter(command, "@v", value);
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }

    /// <summary>The last sequence number handed out: the head of this database's change feed (0 when empty).</summary>
    public async Task<long> ReadHeadAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.StateSeq)} FROM {session.Table(n.StateTable)} WHERE {session.Column(n.StateId)} = 1");
        var value = async ? await command.ExecuteScalarAsync(ct).ConfigureAwait(false) : command.ExecuteScalar();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }
}
