namespace Liblim.EfCore.Merge.Internal;

/// <summary>
/// What applying a batch did: how many states arrived, how many changed a row, which rows changed, and which were held
/// back; <paramref name="Node"/> is the node id of the database applied to.
/// </summary>
internal sealed record ApplyResult(int Received, int Applied, IReadOnlyList<ChangedRow> Changed, IReadOnlyList<HeldBackRow> HeldBack, Guid Node)
{
    /// <summary>The writes of a peer served by scope that were not applied (a server's).</summary>
    public IReadOnlyList<RefusedWrite> Refused { get; init; } = [];

    /// <summary>Of the rows of <see cref="Refused"/>, those the peer may not hold at all: it is to forget them.</summary>
    public IReadOnlyList<(string Table, string Key)> Forget { get; init; } = [];

    /// <summary>How many columns the batch's merges decided between concurrent writes (the journal's new entries).</summary>
    public int Conflicts { get; init; }

    /// <summary>The greatest feed position the batch's writes handed out here (0 when none).</summary>
    public long Drew { get; init; }
}
