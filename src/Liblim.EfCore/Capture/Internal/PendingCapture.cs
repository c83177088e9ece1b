using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// What a SaveChanges will record once its data is written: metadata rows and the new sequence number and
/// clock; this database's node id; and the transaction Liblim opened for it, if the app had none.
/// </summary>
internal sealed record PendingCapture(
    IReadOnlyList<StoredRow> Rows,
    long Seq,
    long Clock,
    Guid Node,
    OwnedTransaction Transaction);
