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
internal static class RowStateCodec
{
    /// <summary>The metadata row of a state, stamped with a change sequence number.</summary>
    public static StoredRow Encode(RowState state, long seq)
    {
        var baseClock = BaseClock(state);
        string? columnClocks = null;
        var overrides = state.Columns.Where(c => c.Value.Clock != baseClock).ToList();
        if (overrides.Count > 0)
        {
            var sb = new StringBuilder("{");
            foreach (var (name, value) in overrides)
            {
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }

                sb.Append(CanonicalJson.Quote(name)).Append(":\"").Append(value.Clock.ToString()).Append('"');
            }

            columnClocks = sb.Append('}').ToString();
        }

        string? deadValues = null;
        if (!state.IsAlive && !state.Columns.IsEmpty)
        {
            var sb = new StringBuilder("{");
            foreach (var (name, value) in state.Columns)
            {
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }

                sb.Append(CanonicalJson.Quote(name)).Append(':')
                  .Append(value.Json ?? throw new InvalidOperationException($"The value of column '{name}' of deleted row {state.Table} {state.Key} was not loaded."));
            }

            deadValues = sb.Append('}').ToString();
        }

        return new StoredRow(state.Table, state.Key, seq, baseClock.ToString(), columnClocks,
            Tags(state.AddTags), Tags(state.Tombstones), deadValues);
    }

    /// <summary>
    /// The state of a stored row. A live row's values come from its data row (<paramref name="liveValues"/>,
    /// canonical JSON by column; null to leave them unloaded); a deleted row's from the metadata row.
    /// </summary>
    public static RowState Decode(ReplicatedTable table, StoredRow row, IReadOnlyDictionary<string, string>? liveValues)
    {
        var baseClock = HybridTimestamp.Parse(row.Clock);
        var clocks = row.ColumnClocks is null
            ? new Dictionary<string, HybridTimestamp>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(row.ColumnClocks)!
                .ToDictionary(p => p.Key, p => HybridTimestamp.Parse(p.Value), StringComparer.Ordinal);
        var addTags = ParseTags(row.AddTags);
        var columns = ImmutableSortedDictionary.CreateBuilder<string, ColumnValue>(StringComparer.Ordinal);
        if (addTags.IsEmpty)
        {
            if (row.DeadValues is not null)
            {
                foreach (var (name, json) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.DeadValues)!)
                {
                    columns[name] = new ColumnValue(json.GetRawText(), clocks.GetValueOrDefault(name, baseClock));
                }
            }
        }
        else
        {
            foreach (var column in table.ValueColumns)
            {
                columns[column.Name] = new ColumnValue(liveValues?.GetValueOrDefault(column.Name), clocks.GetValueOrDefault(column.Name, baseClock));
            }
        }

        return new RowState(row.Table, row.Key, columns.ToImmutable(), addTags, ParseTags(row.Tombstones));
    }

    /// <summary>The clock most columns share: stored (and sent) once, with only the other columns' clocks listed.</summary>
    internal static HybridTimestamp BaseClock(RowState state)
    {
        if (state.Columns.IsEmpty)
        {
            return state.MaxClock ?? throw new InvalidOperationException($"Row {state.Table} {state.Key} has no state to store.");
        }

        return state.Columns.Values.GroupBy(c => c.Clock).MaxBy(g => g.Count())!.Key;
    }

    private static string? Tags(ImmutableSortedSet<HybridTimestamp> tags)
        => tags.IsEmpty ? null : string.Join(',', tags.Select(t => t.ToString()));

    internal static ImmutableSortedSet<HybridTimestamp> ParseTags(string? text)
        => string.IsNullOrEmpty(text)
            ? ImmutableSortedSet<HybridTimestamp>.Empty
            : ImmutableSortedSet.CreateRange(text.Split(',').Select(t => HybridTimestamp.Parse(t)));
}
