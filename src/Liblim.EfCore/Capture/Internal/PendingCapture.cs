using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// What a SaveChanges will record once its data is written: the new row states (with their metadata as stored before, and
/// their feed positions), and the replicated write begun for them (in the transaction Liblim opened, or the app's), which
/// knows the rows whose metadata EF writes with their data.
/// </summary>
internal sealed record PendingCapture(IReadOnlyList<CapturedState> States, ReplicaWrite Write);

/// <summary>A row's new state, to store once EF has written the data.</summary>
/// <param name="Table">Its table.</param>
/// <param name="State">The new state; values written by EF are read from the data row afterwards. Null when <paramref name="Stored"/> says it all.</param>
/// <param name="Before">Its metadata as stored before; null when none.</param>
/// <param name="Seq">Its new change sequence number.</param>
/// <param name="Stored">
/// Its new metadata row when it follows from the state alone (a row of an unconstrained table that was never held back is
/// shown exactly as EF writes it); null when the row must be reconciled with the rows it relates to.
/// </param>
internal sealed record CapturedState(ReplicatedTable Table, RowState? State, ShadowRow? Before, long Seq, ShadowRow? Stored);

/// <summary>The replicated rows a SaveChanges writes, by table and key, and the tracked rows a database cascade could reach (<see cref="ChangeCapture.Detected"/>).</summary>
internal sealed record DetectedChanges(Dictionary<(ReplicatedTable, string), CapturedRow> Rows, Dictionary<(ReplicatedTable, string), EntityEntry> Tracked);
