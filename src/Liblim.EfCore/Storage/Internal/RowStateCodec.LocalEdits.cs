using System.Buffers;
using System.Text;

using Liblim.EfCore.Crdt;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Local writes and deletes of a row shown as it is (alive, not held back, nothing kept in its metadata row), made
/// straight on its metadata row: each gives what <see cref="Encode"/> gives for the decoded state after
/// <see cref="Crdt.RowState.Write"/> or <see cref="Crdt.RowState.Delete"/>, without decoding it.
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
        var stamp = HybridTimestamp.Parse(at);
        return WithClocksOf(row, columns, clocks =>
        {
            var later = true; // than every clock the row held: then the registers at its greatest clock are this write's
            for (var i = 0; i < clocks.Length; i++)
            {
                later &= clocks[i].Clock < stamp;
                if (written(columns[i]))
                {
                    clocks[i] = new(columns[i], stamp, clocks[i].Clock); // over the register it replaces
                }
            }

            var (clock, registers) = Split(row, clocks);
            return row with { Seq = seq, Clock = clock, Registers = registers, Source = null, Update = later && row.Seq != seq ? new RowUpdate(seq, row.Seq) : null };
        });
    }

    /// <summary>Appends the canonical JSON of the value of the column at a position of a table's value columns.</summary>
    public delegate void KeptValue(StringBuilder sb, int column);

    [ThreadStatic]
    private static StringBuilder? t_kept;

    /// <summary>The metadata row after a delete: every add tag tombstoned, every value kept.</summary>
    /// <param name="row">The row as stored; <see cref="IsPlainlyShown"/>.</param>
    /// <param name="columns">The table's value columns in ordinal order of their names.</param>
    /// <param name="value">Writes the canonical JSON of each of <paramref name="columns"/>, as the data row holds it, into the kept values.</param>
    /// <param name="seq">The row's new change sequence number.</param>
    public static ShadowRow Deleted(ShadowRow row, IReadOnlyList<string> columns, KeptValue value, long seq)
    {
        var (clock, registers) = WithClocksOf(row, columns, clocks => Split(row, clocks));
        var tombstones = row.Tombstones is null ? row.AddTags : Tags(ParseTags(row.Tombstones).Union(ParseTags(row.AddTags)));
        string? kept = null;
        if (columns.Count > 0)
        {
            // One builder per thread: a delete of many rows makes one string per row, not one per value.
            var sb = t_kept ??= new StringBuilder(256);
            sb.Clear().Append('{');
            for (var i = 0; i < columns.Count; i++)
            {
                CanonicalJson.AppendQuoted(i == 0 ? sb : sb.Append(','), columns[i]).Append(':');
                value(sb, i);
            }

            kept = sb.Append('}').ToString();
            if (sb.Capacity > 64 * 1024)
            {
                t_kept = null; // a row of large values: not kept for the next
            }
        }

        return new ShadowRow(row.Table, row.Key, seq, clock, null, null, tombstones, kept) { Registers = registers };
    }

    private delegate T OverClocks<T>(Span<RegisterListing.Register> clocks);

    /// <summary>
    /// The clocks of each column's register (its own when listed, else the row's base clock and base prior), in a pooled
    /// buffer lent to <paramref name="use"/> alone: a capture edits one such set per row.
    /// </summary>
    private static T WithClocksOf<T>(ShadowRow row, IReadOnlyList<string> columns, OverClocks<T> use)
    {
        var listing = RegisterClocks.Of(row);
        var baseClock = HybridTimestamp.Parse(row.Clock);
        var rented = ArrayPool<RegisterListing.Register>.Shared.Rent(columns.Count);
        try
        {
            var clocks = rented.AsSpan(0, columns.Count);
            for (var i = 0; i < clocks.Length; i++)
            {
                var (clock, prior) = listing is null ? (baseClock, (HybridTimestamp?)null) : listing.Of(columns[i], baseClock);
                clocks[i] = new(columns[i], clock, prior);
            }

            return use(clocks);
        }
        finally
        {
            ArrayPool<RegisterListing.Register>.Shared.Return(rented, clearArray: true);
        }
    }

    /// <summary>The base clock (text form) of the columns' registers and what is listed around it, as <see cref="Encode"/> stores them.</summary>
    private static (string Clock, RegisterListing? Registers) Split(ShadowRow row, ReadOnlySpan<RegisterListing.Register> clocks)
    {
        if (clocks.Length == 0)
        {
            return (row.Clock, null); // no columns: the greatest tag, which a write or a delete does not change
        }

        Span<HybridTimestamp> stamps = clocks.Length <= 64 ? stackalloc HybridTimestamp[clocks.Length] : new HybridTimestamp[clocks.Length];
        for (var i = 0; i < clocks.Length; i++)
        {
            stamps[i] = clocks[i].Clock;
        }

        var baseClock = stamps[BaseClock.MostCommon<HybridTimestamp>(stamps)];
        return (baseClock.ToString(), RegisterClocks.List(baseClock, clocks));
    }
}
