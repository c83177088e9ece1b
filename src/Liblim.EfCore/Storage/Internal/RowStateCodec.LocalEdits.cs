using System.Text;

using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Local writes and deletes of a row shown as it is (alive, not held back, nothing kept in its metadata row), made
/// straight on its metadata row: each gives what <see cref="Encode"/> gives for the decoded state after
/// <see cref="Crdt.RowState.Write"/> or <see cref="Crdt.RowState.Delete"/>, without decoding it. Clocks are compared in
/// their text form, which is canonical.
/// </summary>
internal static partial class RowStateCodec
{
    /// <summary>Whether <see cref="Written"/> and <see cref="Deleted"/> apply to a stored row.</summary>
    public static bool IsPlainlyShown(ShadowRow row) => row is { IsAlive: true, Held: null, Awaiting: null, KeptValues: null };

    /// <summary>
    /// The metadata row after the given columns are written at <paramref name="at"/> (text form), with the position it had
    /// before (<see cref="ShadowRow.Update"/>) when <paramref name="at"/> is later than every clock it held.
    /// </summary>
    /// <param name="row">The row as stored; <see cref="IsPlainlyShown"/>.</param>
    /// <param name="columns">The table's value columns in ordinal order of their names (the registers a decoded state holds).</param>
    /// <param name="written">Whether a column is written.</param>
    /// <param name="at">The write's timestamp, in text form.</param>
    /// <param name="seq">The row's new change sequence number.</param>
    public static ShadowRow Written(ShadowRow row, IReadOnlyList<string> columns, Func<string, bool> written, string at, long seq)
    {
        var clocks = ClocksOf(row, columns);
        var later = true; // than every clock the row held: then the registers at its greatest clock are this write's
        for (var i = 0; i < clocks.Length; i++)
        {
            later &= string.CompareOrdinal(clocks[i], at) < 0;
            if (written(columns[i]))
            {
                clocks[i] = at;
            }
        }

        var (clock, columnClocks) = Split(row, columns, clocks);
        return row with { Seq = seq, Clock = clock, ColumnClocks = columnClocks, Source = null, Update = later && row.Seq != seq ? new RowUpdate(seq, row.Seq) : null };
    }

    /// <summary>The metadata row after a delete: every add tag tombstoned, every value kept.</summary>
    /// <param name="row">The row as stored; <see cref="IsPlainlyShown"/>.</param>
    /// <param name="columns">The table's value columns in ordinal order of their names.</param>
    /// <param name="values">The canonical JSON of each of <paramref name="columns"/>, read from the data row.</param>
    /// <param name="seq">The row's new change sequence number.</param>
    public static ShadowRow Deleted(ShadowRow row, IReadOnlyList<string> columns, IReadOnlyList<string> values, long seq)
    {
        var (clock, columnClocks) = Split(row, columns, ClocksOf(row, columns));
        var tombstones = row.Tombstones is null ? row.AddTags : Tags(ParseTags(row.Tombstones).Union(ParseTags(row.AddTags)));
        var length = 2;
        for (var i = 0; i < columns.Count; i++)
        {
            length += columns[i].Length + values[i].Length + 4;
        }

        var kept = new StringBuilder(length).Append('{');
        for (var i = 0; i < columns.Count; i++)
        {
            AppendKept(kept, columns[i], values[i]);
        }

        return new ShadowRow(row.Table, row.Key, seq, clock, columnClocks, null, tombstones, kept.Length == 1 ? null : kept.Append('}').ToString());
    }

    /// <summary>The clock of each column (text form): its own when listed, else the row's base clock.</summary>
    private static string[] ClocksOf(ShadowRow row, IReadOnlyList<string> columns)
    {
        var listed = row.ColumnClocks is null ? null : ColumnClocksJson.Read(row.ColumnClocks);
        var clocks = new string[columns.Count];
        for (var i = 0; i < clocks.Length; i++)
        {
            clocks[i] = row.Clock;
            foreach (var (name, clock) in listed ?? [])
            {
                if (name == columns[i])
                {
                    clocks[i] = clock;
                    break;
                }
            }
        }

        return clocks;
    }

    /// <summary>The base clock of the columns' clocks and the other columns' clocks, as <see cref="Encode"/> stores them.</summary>
    private static (string Clock, string? ColumnClocks) Split(ShadowRow row, IReadOnlyList<string> columns, string[] clocks)
    {
        if (clocks.Length == 0)
        {
            return (row.Clock, null); // no columns: the greatest tag, which a write or a delete does not change
        }

        var baseClock = clocks[BaseClock.MostCommon<string>(clocks)];
        List<KeyValuePair<string, string>>? overrides = null;
        for (var i = 0; i < clocks.Length; i++)
        {
            if (clocks[i] != baseClock)
            {
                (overrides ??= []).Add(KeyValuePair.Create(columns[i], clocks[i]));
            }
        }

        return (baseClock, overrides is null ? null : ColumnClocksJson.Write(overrides));
    }
}
