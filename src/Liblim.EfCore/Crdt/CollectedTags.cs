namespace Liblim.EfCore.Crdt;

/// <summary>
/// What a replica that has collected deleted rows remembers of them: for each node, the greatest ticks of its add tags
/// among the rows collected. A peer that was not counted when they were collected (new, forgotten, or restored) may
/// still hold some of those rows as alive; the tags it sends are checked here before they are merged.
/// </summary>
/// <remarks>
/// An add tag the receiver holds neither alive nor dead, at or below its node's horizon, is taken as one the receiver
/// collected, and so as dead: the receiver had the tag and its delete (a node's later tags reach a replica only after its
/// earlier ones, each replica's clock only moving forward, unless they take different paths). Tags of nodes nothing was
/// collected of, tags above the horizon, and the tags of adopted rows (whose ticks are hashes, not times) pass as they
/// are. docs/semantics.md, "Collecting deleted rows", says what this costs.
/// </remarks>
internal sealed class CollectedTags
{
    private readonly IReadOnlyDictionary<Guid, long> _horizons;
    private readonly Guid _adoptionNode;

    /// <param name="horizons">For each node some of whose tags were collected, the greatest ticks among them.</param>
    /// <param name="adoptionNode">The node of adopted rows' tags, which are exempt.</param>
    public CollectedTags(IReadOnlyDictionary<Guid, long> horizons, Guid adoptionNode)
    {
        _horizons = horizons;
        _adoptionNode = adoptionNode;
    }

    /// <summary>Whether anything was collected.</summary>
    public bool IsEmpty => _horizons.Count == 0;

    /// <summary>
    /// <paramref name="remote"/> with each of its add tags that <paramref name="local"/> (null: the row is not held here)
    /// has neither alive nor dead, and that may have been collected here, moved to its tombstones.
    /// </summary>
    public RowState Screen(RowState remote, RowState? local)
    {
        if (IsEmpty || remote.AddTags.IsEmpty)
        {
            return remote;
        }

        var dead = remote.AddTags.Where(t => MayHaveBeenCollected(t) && !(local?.AddTags.Contains(t) ?? false) && !(local?.Tombstones.Contains(t) ?? false)).ToList();
        return dead.Count == 0
            ? remote
            : remote with { AddTags = remote.AddTags.Except(dead), Tombstones = remote.Tombstones.Union(dead) };
    }

    private bool MayHaveBeenCollected(HybridTimestamp tag)
        => tag.Node != _adoptionNode && _horizons.TryGetValue(tag.Node, out var horizon) && tag.Ticks <= horizon;
}
