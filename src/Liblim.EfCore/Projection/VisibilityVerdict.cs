using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>What the projection decides for one row of a <see cref="VisibilityGraph"/>.</summary>
/// <param name="Status">Where the row stands.</param>
/// <param name="Hold">Why a live row is held back or projected, and the related row (a graph node); null when shown as it is or deleted.</param>
/// <param name="Projected">The foreign keys (their ordinals) whose columns are shown null.</param>
internal sealed record VisibilityVerdict(RowStatus Status, HoldVerdict? Hold, IReadOnlyList<int> Projected);

/// <summary>Why a row is held back or projected.</summary>
/// <param name="Kind">Why.</param>
/// <param name="Related">The graph node of the parent, or of the row keeping the unique value.</param>
/// <param name="Index">For a unique conflict: the index's ordinal in its table.</param>
/// <param name="Eligible">Whether the held row competes for its unique values.</param>
internal sealed record HoldVerdict(HoldKind Kind, int Related, int? Index, bool Eligible);
