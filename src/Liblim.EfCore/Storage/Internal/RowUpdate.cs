namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// A row's latest change, when it was one of two kinds a peer may already hold the outcome of: a local update made at a
/// clock later than every clock the row held (<paramref name="From"/> null: the registers at the row's greatest clock are
/// what it wrote), or a merge of the state of the node <paramref name="From"/> (32 hex digits) into the row, which that
/// node then holds whole if it held the row as it was before. <paramref name="Seq"/> is the row's position after the
/// change, <paramref name="Prior"/> before it; it speaks of the row only while the row is still at <paramref name="Seq"/>.
/// </summary>
internal readonly record struct RowUpdate(long Seq, long Prior, string? From = null);
