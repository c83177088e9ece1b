using System.Globalization;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>What <c>__liblim_peers</c> records of the sessions with each peer, and the counts a status reports.</summary>
internal sealed partial class ShadowStore
{
    /// <summary>
    /// Records how a session with a peer ended: at <paramref name="at"/>, with <paramref name="address"/>, and, when it
    /// failed, why (<paramref name="error"/>; the time of the last sync without an error then stays as it was); and, when
    /// given, how far the peer said it had applied this feed, and when it said so (<see cref="RecordAckAsync"/>).
    /// </summary>
    public async Task RecordSessionAsync(Guid peer, string address, DateTimeOffset at, string? error, (long Position, DateTimeOffset At)? acked, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var peers = session.Table(n.PeersTable);
        var (lastSync, where, lastError) = (session.Column(n.PeerLastSync), session.Column(n.PeerAddress), session.Column(n.PeerLastError));
        var set = $"{lastSync} = COALESCE(excluded.{lastSync}, {peers}.{lastSync}), {where} = excluded.{where}, {lastError} = excluded.{lastError}";
        (string, object?)[] values = [(n.PeerLastSync, error is null ? RoundTrip(at) : null), (n.PeerAddress, address), (n.PeerLastError, error)];
        if (acked is { } ack)
        {
            values = [.. values, .. AckValues(ack.Position, ack.At)];
            set += ", " + AckSet();
        }

        await UpsertPeerAsync(peer, values, set, async, ct).ConfigureAwait(false);
    }

    /// <summary>Every peer this database has recorded, with its positions and how its last session went.</summary>
    public async Task<List<PeerRecord>> ReadPeersAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {string.Join(", ", new[] { n.PeerId, n.PeerReceivedSeq, n.PeerSentSeq, n.PeerLastSync, n.PeerAddress, n.PeerLastError, n.PeerOwner }.Select(session.Column))} " +
            $"FROM {session.Table(n.PeersTable)}");
        var peers = new List<PeerRecord>();
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            peers.Add(new PeerRecord(
                Guid.ParseExact(reader.GetString(0), "N"),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                Text(3) is { } at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null,
                Text(4),
                Text(5),
                Text(6)));
        }

        return peers;
    }

    /// <summary>
    /// How many rows changed here after <paramref name="position"/> whose state did not come whole from the peer numbered
    /// <paramref name="peerNumber"/> (null: a peer this database has not numbered): what the feed would send that peer.
    /// </summary>
    public async Task<long> CountChangedAfterAsync(long position, int? peerNumber, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var counts = new List<string>();
        using var command = session.CreateCommand("");
        StoreSession.AddParameter(command, "@after", position);
        StoreSession.AddParameter(command, "@source", peerNumber ?? -1);
        StoreSession.AddParameter(command, "@mid", $"%;s{peerNumber ?? -1};%");
        StoreSession.AddParameter(command, "@end", $"%;s{peerNumber ?? -1}");
        counts.Add($"(SELECT COUNT(*) FROM {session.Table(n.RowsTable)} WHERE {session.Column(n.RowSeq)} > @after " +
                   $"AND ({session.Column(n.RowSource)} IS NULL OR {session.Column(n.RowSource)} <> @source))");
        foreach (var table in session.Model.Tables)
        {
            // A shown row's source is the ";s<number>" part of its clocks (Storage/Internal/InRowClocks).
            var clocks = session.Column(table.ClocksColumn);
            counts.Add($"(SELECT COUNT(*) FROM {session.Table(table)} WHERE {session.Column(table.SeqColumn)} > @after " +
                       $"AND {clocks} NOT LIKE @mid AND {clocks} NOT LIKE @end)");
        }

        command.CommandText = $"SELECT {string.Join(" + ", counts)}";
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
        return Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
    }

    /// <summary>The local number of a node id, when this database has numbered it.</summary>
    public async Task<int?> FindNodeNumberAsync(Guid node, bool async, CancellationToken ct)
    {
        var text = node.ToString("N");
        if (!session.Nodes.Contains(text))
        {
            await ReadNodesAsync(async, ct).ConfigureAwait(false); // only when the number is not known yet
        }

        return session.Nodes.Contains(text) ? session.Nodes.NumberOf(text) : null;
    }
}

/// <summary>A row of <c>__liblim_peers</c> as the status reads it.</summary>
internal sealed record PeerRecord(Guid Peer, long Applied, long Fence, DateTimeOffset? LastSync, string? Address, string? LastError, string? Owner);
