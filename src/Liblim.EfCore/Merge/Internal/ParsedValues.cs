using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Merge.Internal;

/// <summary>
/// The model values that checking a batch of incoming states parsed (each key, and each value already in its
/// canonical text), so that writing the data rows takes them as they are instead of parsing the same text again.
/// Values are found by the very text instance a state holds; any other text is parsed as usual.
/// </summary>
internal sealed class ParsedValues
{
    private readonly Dictionary<(ReplicatedColumn Column, string Json), object?> _values = new(ByReference.Instance);
    private readonly Dictionary<(ReplicatedTable Table, string Key), object?[]> _keys = new(ByReference.Instance);

    public void AddKey(ReplicatedTable table, string key, object?[] values) => _keys[(table, key)] = values;

    public void AddValue(ReplicatedColumn column, string json, object? value) => _values[(column, json)] = value;

    /// <summary>The key values of a row's key text.</summary>
    public object?[] Key(ReplicatedTable table, string key) => _keys.TryGetValue((table, key), out var values) ? values : table.DecodeKey(key);

    /// <summary>The model value of a column's canonical text.</summary>
    public object? Value(ReplicatedColumn column, string json) => _values.TryGetValue((column, json), out var value) ? value : column.FromJson(json);

    /// <summary>Compares both parts by reference: the column or table object, and the text instance.</summary>
    private sealed class ByReference : IEqualityComparer<(ReplicatedColumn, string)>, IEqualityComparer<(ReplicatedTable, string)>
    {
        public static readonly ByReference Instance = new();

        public bool Equals((ReplicatedColumn, string) x, (ReplicatedColumn, string) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((ReplicatedColumn, string) obj) => HashCode.Combine(obj.Item1, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));

        public bool Equals((ReplicatedTable, string) x, (ReplicatedTable, string) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((ReplicatedTable, string) obj) => HashCode.Combine(obj.Item1, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
