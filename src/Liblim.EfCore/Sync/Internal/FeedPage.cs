using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// A page of the change feed for a peer: the rows' whole states, the position the page reaches, and the feed's head in
/// the snapshot it was read from.
/// </summary>
internal sealed record FeedPage(List<RowState> States, long Last, long Head)
{
    /// <summary>
    /// The states (by reference) whose row the peer holds as it was before its latest change, a local update
    /// (<see cref="PeerBaseline"/>): the update alone brings it up to date.
    /// </summary>
    public HashSet<RowState> HeldBeforeUpdate { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>What to send of a state of this page when nothing else is known of what the peer holds: the update alone, or the whole state.</summary>
    public RowState ToSend(RowState state) => HeldBeforeUpdate.Contains(state) ? RowDelta.LatestWrite(state) : state;
}
