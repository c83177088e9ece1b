namespace Liblim.EfCore.Merge.Internal;

/// <summary>What applying a batch did: how many states arrived, how many changed a row, and which rows.</summary>
internal sealed record ApplyResult(int Received, int Applied, IReadOnlyList<ChangedRow> Changed);
