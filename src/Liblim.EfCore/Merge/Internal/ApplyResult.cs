namespace Liblim.EfCore.Merge.Internal;

/// <summary>
/// What applying a batch did: how many states arrived, how many changed a row, which rows changed, and which were held
/// back; <paramref name="Node"/> is the node id of the database applied to.
/// </summary>
internal sealed record ApplyResult(int Received, int Applied, IReadOnlyList<ChangedRow> Changed, IReadOnlyList<HeldBackRow> HeldBack, Guid Node);
