using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Turns a <see cref="RowState"/> into its one metadata row and back. The row keeps one base clock for every
/// column written at the same time (all of them, after an insert) and lists only the columns written later,
/// so an untouched row costs one clock, not one per column.
/// </summary>
internal static partial class RowStateCodec
{
    /// <summary>
    /// The metadata row of a state, stamped with a change sequence number. A deleted or held-back row keeps every
    /// value in the row (its data row is not in its table); a shown row keeps the values of its projected columns, and
    /// those of columns its table does not have here (a peer with a newer model wrote them: they are kept, merged and
    /// passed on until a migration adds the column).
    /// </summary>
    /// <param name="table">The state's table; null when this database's model does not have it (a newer model's table: the row is kept whole, not shown).</param>
    /// <param name="state">The state; kept values must be loaded.</param>
    /// <param name="seq">The row's change sequence number.</param>
    /// <param name="hold">Why a live row is not shown as replicated; null when it is, or when the row is deleted.</param>
    /// <param name="projected">For a shown row with projected references: the columns shown null.</param>
    /// <param name="source">The node the state was taken whole from (<see cref="ShadowRow.Source"/>).</param>
    /// <param name="update">What the row's latest change was, when a feed can tell (<see cref="ShadowRow.Update"/>).</param>
    public static ShadowRow Encode(
        ReplicatedTable? table, RowState state, long seq, RowHold? hold = null, IReadOnlyCollection<string>? projected = null, string? source = null, RowUpdate? update = null)
    {
        var baseClock = BaseClock.Of(state);
        var registers = RegistersOf(state.Columns, baseClock);

        hold = !state.IsAlive ? null : table is null ? RowHold.NotInModel(state.Table) : hold;
        var shown = state.IsAlive && hold is null or { IsShown: true };
        var newerModel = shown && HasColumnNotIn(table!, state);
        var kept = !shown ? KeptValues(state, state.Columns)
            : projected is { Count: > 0 } || newerModel
                ? KeptValues(state, state.Columns.Where(c => projected?.Contains(c.Key) == true || table!.FindColumn(c.Key) is null))
                : null;
        // A shown row keeping columns of a newer model awaits a model that has them (a migration), found by its table.
        var awaiting = hold?.Awaiting ?? (newerModel ? RowHold.AwaitingModel(table!.Name) : null);
        return new ShadowRow(state.Table, state.Key, seq, baseClock.ToString(), null,
            Tags(state.AddTags), Tags(state.Tombstones), kept, source, hold?.ToJson(), awaiting) { Registers = registers, Update = update };
    }

    /// <summary>What a state's metadata row lists of its registers around <paramref name="baseClock"/> (<see cref="RegisterClocks.List"/>).</summary>
    private static RegisterListing? RegistersOf(ColumnMap columns, HybridTimestamp baseClock)
    {
        // Only a row with a register off the base clock, or with a prior, lists any (an inserted row lists none).
        var listsAny = false;
        foreach (var (_, value) in columns)
        {
            listsAny |= value.Clock != baseClock || value.Prior is not null;
        }

        if (!listsAny)
        {
            return null;
        }

        var registers = ArrayPool<RegisterListing.Register>.Shared.Rent(columns.Count);
        var i = 0;
        foreach (var (name, value) in columns)
        {
            registers[i++] = new(name, value.Clock, value.Prior);
        }

        var listing = RegisterClocks.List(baseClock, registers.AsSpan(0, i));
        ArrayPool<RegisterListing.Register>.Shared.Return(registers, clearArray: true);
        return listing;
    }

    /// <summary>
    /// The metadata row of a key's first insert, shown as it is: what <see cref="Encode"/> gives for
    /// <c>RowState.Empty(table, key).Insert(columns, at)</c>, without building the state (one add tag and one clock,
    /// both <paramref name="at"/>, in text form).
    /// </summary>
    public static ShadowRow FirstInsert(string table, string key, long seq, string at) => new(table, key, seq, at, null, at, null, null);

    /// <summary>
    /// The state of a stored row. A value kept in the metadata row comes from there; the others of a shown row from its
    /// data row (<paramref name="data"/>: model values of every column, by ordinal; null to leave them unloaded), turned into
    /// canonical JSON here: all of them, or, given <paramref name="sameClocksAs"/>, only those whose clock that state's
    /// register of the column has too (what a merge with it compares; <see cref="WithDataValues"/> loads the rest).
    /// <paramref name="table"/> is null for a table this database's model does not have, whose rows are never shown.
    /// </summary>
    public static RowState Decode(ReplicatedTable? table, ShadowRow row, object?[]? data, RowState? sameClocksAs = null)
    {
        var baseClock = HybridTimestamp.Parse(row.Clock);
        var listing = RegisterClocks.Of(row);
        var kept = row.KeptValues is null
            ? null
            : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.KeptValues)!
                .ToDictionary(p => p.Key, p => p.Value.GetRawText(), StringComparer.Ordinal);
        (HybridTimestamp Clock, HybridTimestamp? Prior) ClockOf(string column) => listing is null ? (baseClock, null) : listing.Of(column, baseClock);
        ColumnValue Register(string column, string? json)
        {
            var (clock, prior) = ClockOf(column);
            return new(json, clock, prior);
        }

        ColumnMap columns;
        if (row.IsShown)
        {
            if (table is null)
            {
                throw new InvalidOperationException($"Row {row.Key} of '{row.Table}' is shown, but the model has no such table.");
            }

            var byName = table.ValueColumnsByName;
            var registers = new ColumnValue[byName.Count];
            for (var i = 0; i < registers.Length; i++)
            {
                var column = byName[i];
                var (clock, prior) = ClockOf(column.Name);
                var json = kept is not null && kept.TryGetValue(column.Name, out var k) ? k
                    : data is null || (sameClocksAs is not null && !(sameClocksAs.Columns.TryGetValue(column.Name, i, out var other) && other.Clock == clock)) ? null
                    : column.ToJson(data[column.Ordinal]);
                registers[i] = new(json, clock, prior);
            }

            columns = table.Registers(registers);
            if (kept is not null && HasColumnNotIn(table, kept))
            {
                var builder = columns.ToBuilder();
                foreach (var (name, json) in kept)
                {
                    if (table.FindColumn(name) is null)
                    {
                        builder[name] = Register(name, json); // a column a newer model has
                    }
                }

                columns = builder.ToImmutable();
            }
        }
        else
        {
            var builder = ColumnMap.Empty.ToBuilder();
            foreach (var (name, json) in kept ?? [])
            {
                builder[name] = Register(name, json);
            }

            columns = builder.ToImmutable();
        }

        return new RowState(row.Table, row.Key, columns, ParseTags(row.AddTags), ParseTags(row.Tombstones));
    }

    /// <summary>
    /// A shown row's state with the values of its data row (<paramref name="data"/>: model values of every column, by
    /// ordinal) turned into canonical JSON for the registers that have none (<see cref="Decode"/> leaves them so without
    /// data, or where told to). The state itself when none is loaded.
    /// </summary>
    public static RowState WithDataValues(ReplicatedTable table, RowState state, object?[] data)
    {
        ColumnMap.Builder? columns = null;
        var position = 0;
        foreach (var (name, value) in state.Columns)
        {
            if (value.Json is null && table.FindColumn(name, position) is { } column)
            {
                (columns ??= state.Columns.ToBuilder())[name] = value with { Json = column.ToJson(data[column.Ordinal]) };
            }

            position++;
        }

        return columns is null ? state : state with { Columns = columns.ToImmutable() };
    }

    /// <summary>The canonical JSON of one column's value in a shown row's data row (see <see cref="WithDataValues"/>); null for a column the table does not have.</summary>
    public static string? DataValue(ReplicatedTable table, object?[] data, string name)
        => table.FindColumn(name) is { } column ? column.ToJson(data[column.Ordinal]) : null;

    /// <summary>Whether the state has a column its table does not have here (one of a newer model).</summary>
    private static bool HasColumnNotIn(ReplicatedTable table, RowState state)
    {
        foreach (var (name, _) in state.Columns)
        {
            if (table.FindColumn(name) is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a kept value is of a column its table does not have here (one of a newer model).</summary>
    private static bool HasColumnNotIn(ReplicatedTable table, Dictionary<string, string> kept)
    {
        foreach (var name in kept.Keys)
        {
            if (table.FindColumn(name) is null)
            {
                return true;
            }
        }

        return false;
    }

    private static string? KeptValues(RowState state, IEnumerable<KeyValuePair<string, ColumnValue>> columns)
    {
        var sb = new StringBuilder("{");
        foreach (var (name, value) in columns)
        {
            AppendKept(sb, name, value.Json ?? throw new InvalidOperationException($"The value of column '{name}' of row {state.Table} {state.Key}, to be kept in its metadata, was not loaded."));
        }

        return sb.Length == 1 ? null : sb.Append('}').ToString();
    }

    /// <summary>Appends one member of the kept values' JSON object (opened with "{" by the caller).</summary>
    private static void AppendKept(StringBuilder sb, string name, string json)
    {
        if (sb.Length > 1)
        {
            sb.Append(',');
        }

        CanonicalJson.AppendQuoted(sb, name).Append(':').Append(json);
    }


    private static string? Tags(ImmutableSortedSet<HybridTimestamp> tags)
        => tags.Count switch
        {
            0 => null,
            1 => tags.Min.ToString(),
            _ => string.Join(',', tags.Select(t => t.ToString())),
        };

    internal static ImmutableSortedSet<HybridTimestamp> ParseTags(string? text)
        => string.IsNullOrEmpty(text) ? ImmutableSortedSet<HybridTimestamp>.Empty
            : !text.Contains(',', StringComparison.Ordinal) ? ImmutableSortedSet.Create(HybridTimestamp.Parse(text)) // most rows: one insert
            : ImmutableSortedSet.CreateRange(text.Split(',').Select(t => HybridTimestamp.Parse(t)));
}
