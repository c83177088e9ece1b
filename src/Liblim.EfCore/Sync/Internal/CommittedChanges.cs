namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// What a commit of a group made of a peer's batches: the rows it changed (as many as were wanted listed, of
/// <paramref name="ChangedCount"/>) and held back, and the writes the peer refused.
/// </summary>
internal sealed record CommittedChanges(IReadOnlyList<ChangedRow> Changed, int ChangedCount, IReadOnlyList<HeldBackRow> HeldBack, IReadOnlyList<RefusedWrite> Refused);
