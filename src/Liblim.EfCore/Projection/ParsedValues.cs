using System.Runtime.CompilerServices;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>
/// The model values that checking a batch of incoming states parsed (each key, and each value already in its
/// canonical text), row by row, so that writing the data rows takes them as they are instead of parsing the same text
/// again. A value is taken only for the very text instance it was parsed from; any other text is parsed as usual.
/// </summary>
internal sealed class ParsedValues
{
    private readonly Dictionary<(ReplicatedTable Table, string Key), Row> _rows = new(RowComparer.Instance);

    /// <summary>The parsed values of a row's state, begun with its key values (or the row already begun for that key).</summary>
    public Row Add(ReplicatedTable table, string key, object?[] keyValues)
    {
        if (!_rows.TryGetValue((table, key), out var row))
        {
            _rows[(table, key)] = row = new Row(keyValues, table.AllColumns.Count);
        }

        return row;
    }

    /// <summary>The parsed values of a row, if checking parsed any.</summary>
    public Row? Find(ReplicatedTable table, string key) => _rows.GetValueOrDefault((table, key));

    /// <summary>The key values of a row's key text.</summary>
    public object?[] Key(ReplicatedTable table, string key) => Find(table, key)?.Key ?? table.DecodeKey(key);

    /// <summary>One row's parsed values, by column ordinal, each with the text it was parsed from.</summary>
    public sealed class Row(object?[] key, int columns)
    {
        private readonly string?[] _texts = new string?[columns];
        private readonly object?[] _values = new object?[columns];

        public object?[] Key => key;

        public void Add(ReplicatedColumn column, string json, object? value)
        {
            _texts[column.Ordinal] = json;
            _values[column.Ordinal] = value;
        }

        /// <summary>The model value of a column's canonical text.</summary>
        public object? Value(ReplicatedColumn column, string json)
            => ReferenceEquals(_texts[column.Ordinal], json) ? _values[column.Ordinal] : column.FromJson(json);
    }

    /// <summary>The same table object and the same key text.</summary>
    private sealed class RowComparer : IEqualityComparer<(ReplicatedTable Table, string Key)>
    {
        public static readonly RowComparer Instance = new();

        public bool Equals((ReplicatedTable Table, string Key) x, (ReplicatedTable Table, string Key) y)
            => ReferenceEquals(x.Table, y.Table) && string.Equals(x.Key, y.Key, StringComparison.Ordinal);

        public int GetHashCode((ReplicatedTable Table, string Key) obj)
            => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Table), StringComparer.Ordinal.GetHashCode(obj.Key));
    }
}
