namespace Liblim.EfCore;

/// <summary>Where this replica stands: its node id, its feed, the rows it holds back, and each peer it has synced with.</summary>
/// <param name="NodeId">This replica's node id.</param>
/// <param name="Head">The last position of its change feed (0 when nothing has changed).</param>
/// <param name="HeldBack">How many rows are held back here (<c>db.Liblim().GetHeldBackRowsAsync()</c> lists them).</param>
/// <param name="Peers">Every peer this replica has synced with or served, by node id.</param>
public sealed record LiblimStatus(Guid NodeId, long Head, int HeldBack, IReadOnlyList<PeerStatus> Peers)
{
    /// <summary>How many conflicts the journal holds (<c>db.Liblim().GetConflictsAsync()</c> lists them).</summary>
    public int Conflicts { get; init; }
}

/// <summary>How this replica stands with one peer.</summary>
/// <param name="NodeId">The peer's node id.</param>
/// <param name="Applied">How far into the peer's change feed this replica has applied.</param>
/// <param name="Pending">
/// How many rows changed here after the last position this replica handed the peer, leaving out those whose state came
/// whole from the peer: what the next sync with it sends, at the most.
/// </param>
/// <param name="LastSync">When the last session with the peer ended without an error; null before any did.</param>
/// <param name="Address">Where the last session was with: the address this replica connected to, or the peer connected from.</param>
/// <param name="LastError">Why the last session with the peer failed; null when it did not.</param>
/// <param name="Owner">The user a hub's transport authenticated the peer as (docs/semantics.md, "Scopes"); null for peers that prove a secret.</param>
public sealed record PeerStatus(Guid NodeId, long Applied, long Pending, DateTimeOffset? LastSync, string? Address, string? LastError, string? Owner);
