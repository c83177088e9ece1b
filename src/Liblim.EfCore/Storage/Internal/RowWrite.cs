namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// A data row to write (model values of every column, keys first) with the metadata it keeps: its feed position and
/// stored clocks (<see cref="InRowClocks"/>) while it is shown as it is, else nulls (its metadata is in
/// <c>__liblim_rows</c>).
/// </summary>
internal readonly record struct RowWrite(object?[] Values, long? Seq, string? Clocks);
