using Liblim.EfCore.Crdt;
using Liblim.EfCore.Protocol;

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

    /// <summary>Rows the peer, served by scope, is to forget: they left its scope (docs/protocol.md, NOMOAR).</summary>
    public List<EvictMessage> Evictions { get; } = [];

    /// <summary>Rows sent to a peer served by scope, which it holds from this page on (<c>__liblim_peer_rows</c>).</summary>
    public List<(string Table, string Key)> Joined { get; } = [];

    /// <summary>Rows a peer served by scope no longer holds once this page is sent.</summary>
    public List<(string Table, string Key)> Left { get; } = [];

    /// <summary>Whether the page gives the peer anything to apply: states, or evictions.</summary>
    public bool IsEmptyFor(List<RowState> states) => states.Count == 0 && Evictions.Count == 0;

    /// <summary>What to send of a state of this page when nothing else is known of what the peer holds: the update alone, or the whole state.</summary>
    public RowState ToSend(RowState state) => HeldBeforeUpdate.Contains(state) ? RowDelta.LatestWrite(state) : state;
}
