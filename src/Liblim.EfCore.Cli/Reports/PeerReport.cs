using System.Globalization;
using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>How a replica stands with one peer it has synced with or served.</summary>
/// <param name="NodeId">The peer's node id.</param>
/// <param name="Address">Where the last session with it was with.</param>
/// <param name="LastSync">When the last session with it ended without an error (a live one: caught up).</param>
/// <param name="LastError">Why the last session with it failed; null when it did not.</param>
/// <param name="Applied">How far into the peer's feed this replica has applied.</param>
/// <param name="Acknowledged">How far the peer said it has applied this replica's feed; null before it said so.</param>
/// <param name="AcknowledgedAt">When it said so.</param>
/// <param name="Sent">How far into this replica's feed it has been handed positions (the fence).</param>
/// <param name="Pending">The rows changed here after <paramref name="Sent"/> whose state did not come whole from the peer: what the next sync sends it, at the most.</param>
/// <param name="Rejoining">Whether it is to send its whole feed once (docs/semantics.md, "Collecting deleted rows").</param>
/// <param name="Owner">The user a hub's transport authenticated it as; null for a peer that proves a secret.</param>
internal sealed record PeerReport(Guid NodeId, string? Address, DateTimeOffset? LastSync, string? LastError, long Applied, long? Acknowledged,
    DateTimeOffset? AcknowledgedAt, long Sent, long Pending, bool Rejoining, string? Owner)
{
    /// <summary>Every peer the replica has recorded, by node id, read in one snapshot.</summary>
    public static Task<List<PeerReport>> ReadAsync(InspectedReplica replica, CancellationToken ct) => replica.ReadAsync(async session =>
    {
        var shadow = session.Shadow;
        var acks = await ReadAcksAsync(session, ct).ConfigureAwait(false);
        var peers = new List<PeerReport>();
        foreach (var peer in (await shadow.ReadPeersAsync(async: true, ct).ConfigureAwait(false)).OrderBy(p => p.Peer))
        {
            // What is pending for a peer as the library's status has it (LiblimFacade.GetStatusAsync).
            var number = await shadow.FindNodeNumberAsync(peer.Peer, async: true, ct).ConfigureAwait(false);
            var pending = await shadow.CountChangedAfterAsync(peer.Fence, number, async: true, ct).ConfigureAwait(false);
            var ack = acks.GetValueOrDefault(peer.Peer);
            peers.Add(new PeerReport(peer.Peer, peer.Address, peer.LastSync, peer.LastError, peer.Applied, ack.Seq, ack.At, peer.Fence, pending, ack.Rejoining, peer.Owner));
        }

        return peers;
    }, ct);

    /// <summary>What each peer said it has applied of this feed, and when, and whether it is rejoining (<c>__liblim_peers</c>).</summary>
    private static async Task<Dictionary<Guid, (long? Seq, DateTimeOffset? At, bool Rejoining)>> ReadAcksAsync(StoreSession session, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.PeerId)}, {session.Column(n.PeerAckedSeq)}, {session.Column(n.PeerAckedAt)}, {session.Column(n.PeerRejoining)} " +
            $"FROM {session.Table(n.PeersTable)}");
        var acks = new Dictionary<Guid, (long?, DateTimeOffset?, bool)>();
        using var reader = await StoreSession.ReadAsync(command, async: true, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            acks[Guid.ParseExact(reader.GetString(0), "N")] = (
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                !reader.IsDBNull(3) && reader.GetBoolean(3));
        }

        return acks;
    }
}
