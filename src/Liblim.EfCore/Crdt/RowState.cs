using System.Collections.Immutable;

namespace Liblim.EfCore.Crdt;

/// <summary>
/// The replicated state of one row: a last-writer-wins register per column, and the row's existence as an
/// observed-remove set of add tags. A row is alive while one of its add tags is not tombstoned. The column
/// registers are kept while the row is dead, so that a concurrent insert that revives it merges with them.
/// </summary>
/// <remarks>Immutable. Values are canonical JSON text, so this type knows nothing of CLR or database types.</remarks>
internal sealed record RowState
{
    public RowState(
        string table,
        string key,
        ColumnMap columns,
        ImmutableSortedSet<HybridTimestamp> addTags,
        ImmutableSortedSet<HybridTimestamp> tombstones)
    {
        Table = table;
        Key = key;
        Columns = columns;
        Tombstones = tombstones;
        AddTags = addTags.Except(tombstones);
    }

    /// <summary>The replicated table.</summary>
    public string Table { get; }

    /// <summary>The canonical text of the row's key.</summary>
    public string Key { get; }

    /// <summary>Column registers by column name.</summary>
    public ColumnMap Columns { get; init; }

    /// <summary>Add tags that no delete has observed.</summary>
    public ImmutableSortedSet<HybridTimestamp> AddTags { get; init; }

    /// <summary>Add tags that a delete has observed.</summary>
    public ImmutableSortedSet<HybridTimestamp> Tombstones { get; init; }

    /// <summary>Whether the state holds nothing: no register, no tag (what <see cref="Empty"/> gives).</summary>
    public bool IsEmpty => Columns.IsEmpty && AddTags.IsEmpty && Tombstones.IsEmpty;

    /// <summary>Whether the row exists.</summary>
    public bool IsAlive => !AddTags.IsEmpty;

    /// <summary>The greatest timestamp anywhere in this state.</summary>
    public HybridTimestamp? MaxClock
    {
        get
        {
            HybridTimestamp? max = null;
            foreach (var (_, c) in Columns)
            {
                max = Max(max, c.Clock);
            }

            if (!AddTags.IsEmpty)
            {
                max = Max(max, AddTags.Max);
            }

            if (!Tombstones.IsEmpty)
            {
                max = Max(max, Tombstones.Max);
            }

            return max;
        }
    }

    /// <summary>An empty state: no columns, never inserted.</summary>
    public static RowState Empty(string table, string key)
        => new(table, key, ColumnMap.Empty,
            ImmutableSortedSet<HybridTimestamp>.Empty, ImmutableSortedSet<HybridTimestamp>.Empty);

    /// <summary>A local insert: a new add tag, and every given column written at that timestamp.</summary>
    public RowState Insert(IEnumerable<KeyValuePair<string, string?>> values, HybridTimestamp at)
        => Write(values, at) with { AddTags = AddTags.Add(at) };

    /// <summary>A local update: each given column written at the timestamp, over the register it had (its prior).</summary>
    public RowState Write(IEnumerable<KeyValuePair<string, string?>> values, HybridTimestamp at)
    {
        var columns = Columns.ToBuilder();
        foreach (var (name, json) in values)
        {
            columns[name] = new ColumnValue(json, at, columns.TryGetValue(name, out var before) ? before.Clock : null);
        }

        return this with { Columns = columns.ToImmutable() };
    }

    /// <summary>A local delete: every add tag seen so far is tombstoned; the registers are kept.</summary>
    public RowState Delete()
        => this with { Tombstones = Tombstones.Union(AddTags), AddTags = ImmutableSortedSet<HybridTimestamp>.Empty };

    /// <summary>This state with no register's prior, for a peer that speaks a protocol version without them; this one when it has none.</summary>
    public RowState WithoutPriors()
    {
        ColumnMap.Builder? columns = null;
        foreach (var (name, value) in Columns)
        {
            if (value.Prior is not null)
            {
                (columns ??= Columns.ToBuilder())[name] = value with { Prior = null };
            }
        }

        return columns is null ? this : this with { Columns = columns.ToImmutable() };
    }

    /// <summary>Whether two states hold the same registers and tags.</summary>
    public bool SameAs(RowState other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Table != other.Table || Key != other.Key || Columns.Count != other.Columns.Count
            || !SameTags(AddTags, other.AddTags) || !SameTags(Tombstones, other.Tombstones))
        {
            return false;
        }

        foreach (var (name, value) in Columns)
        {
            if (!other.Columns.TryGetValue(name, out var theirs) || theirs != value)
            {
                return false;
            }
        }

        return true;
    }

    // Both sets are sorted by the same order, so equal sets list the same tags at the same places.
    private static bool SameTags(ImmutableSortedSet<HybridTimestamp> a, ImmutableSortedSet<HybridTimestamp> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static HybridTimestamp Max(HybridTimestamp? a, HybridTimestamp b) => a is { } x && x > b ? x : b;
}
