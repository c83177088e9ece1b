using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// What a SaveChanges will record once its data is written: the new row states (with their metadata as stored
/// before, and their sequence numbers) and the new sequence number and clock; this database's node id; and the
/// transaction Liblim opened for it, if the app had none.
/// </summary>
internal sealed record PendingCapture(
    IReadOnlyList<CapturedState> States,
    long Seq,
    long Clock,
    Guid Node,
    OwnedTransaction Transaction);

/// <summary>A row's new state, to store once EF has written the data.</summary>
/// <param name="Table">Its table.</param>
/// <param name="State">The new state; values written by EF are read from the data row afterwards.</param>
/// <param name="Before">Its metadata as stored before; null when none.</param>
/// <param name="Seq">Its new change sequence number.</param>
internal sealed record CapturedState(ReplicatedTable Table, RowState State, StoredRow? Before, long Seq);
