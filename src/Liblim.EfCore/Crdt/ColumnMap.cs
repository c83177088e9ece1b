using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Liblim.EfCore.Crdt;

/// <summary>
/// A row's column registers by column name, in ordinal order of the names: immutable, two arrays. Rows of one table
/// read from storage share the array of names (<see cref="FromSorted"/>), so a row costs one array of registers, not a
/// tree node per column; a change makes a new map (<see cref="ToBuilder"/>) and leaves this one as it is.
/// </summary>
internal sealed class ColumnMap : IReadOnlyDictionary<string, ColumnValue>
{
    /// <summary>No registers.</summary>
    public static readonly ColumnMap Empty = new([], []);

    private readonly string[] _names;
    private readonly ColumnValue[] _values;

    private ColumnMap(string[] names, ColumnValue[] values)
    {
        _names = names;
        _values = values;
    }

    /// <summary>The number of registers.</summary>
    public int Count => _names.Length;

    /// <summary>Whether there is no register.</summary>
    public bool IsEmpty => _names.Length == 0;

    /// <summary>The column names, in ordinal order.</summary>
    public IEnumerable<string> Keys => _names;

    /// <summary>The registers, in the order of their names.</summary>
    public IEnumerable<ColumnValue> Values => _values;

    /// <summary>The register of a column.</summary>
    /// <exception cref="KeyNotFoundException">The map has no register of that name.</exception>
    public ColumnValue this[string name]
        => TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No register of column '{name}'.");

    /// <summary>
    /// A map over <paramref name="names"/>, which must be distinct and in ordinal order (a table's value columns by name),
    /// and may be shared with other maps; <paramref name="values"/> is taken as it is, and must not change afterwards.
    /// </summary>
    public static ColumnMap FromSorted(string[] names, ColumnValue[] values)
    {
        if (names.Length != values.Length)
        {
            throw new ArgumentException($"{names.Length} names and {values.Length} registers.", nameof(values));
        }

        return names.Length == 0 ? Empty : new ColumnMap(names, values);
    }

    /// <summary>A map of the given registers; where a name comes twice, the later register is kept.</summary>
    public static ColumnMap CreateRange(IEnumerable<KeyValuePair<string, ColumnValue>> registers)
    {
        var builder = Empty.ToBuilder();
        foreach (var (name, value) in registers)
        {
            builder[name] = value;
        }

        return builder.ToImmutable();
    }

    public bool ContainsKey(string key) => IndexOf(_names, _names.Length, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out ColumnValue value)
    {
        var i = IndexOf(_names, _names.Length, key);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    /// <summary>
    /// The register of a column expected at <paramref name="position"/> (a state holding every value column of its table
    /// has the column at its position in the table's name order): looked up by name only when it is not there.
    /// </summary>
    public bool TryGetValue(string key, int position, [MaybeNullWhen(false)] out ColumnValue value)
    {
        if ((uint)position < (uint)_names.Length && string.Equals(_names[position], key, StringComparison.Ordinal))
        {
            value = _values[position];
            return true;
        }

        return TryGetValue(key, out value);
    }

    /// <summary>This map without the registers of <paramref name="names"/>.</summary>
    public ColumnMap RemoveRange(IEnumerable<string> names)
    {
        var builder = ToBuilder();
        foreach (var name in names)
        {
            builder.Remove(name);
        }

        return builder.ToImmutable();
    }

    /// <summary>A builder that starts from this map's registers.</summary>
    public Builder ToBuilder() => new(this);

    /// <summary>A builder that starts empty, with room for <paramref name="capacity"/> registers (a parsed row's, say).</summary>
    public static Builder CreateBuilder(int capacity) => new(capacity);

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, ColumnValue>> IEnumerable<KeyValuePair<string, ColumnValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Where <paramref name="name"/> is among the first <paramref name="count"/> names; its complement (~index) where it would go when it is not.</summary>
    private static int IndexOf(string[] names, int count, string name)
    {
        var low = 0;
        var high = count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(names[middle], name);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    /// <summary>The registers of a map, in the order of their names, without allocating.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, ColumnValue>>
    {
        private readonly ColumnMap _map;
        private int _index;

        internal Enumerator(ColumnMap map)
        {
            _map = map;
            _index = -1;
        }

        public readonly KeyValuePair<string, ColumnValue> Current => new(_map._names[_index], _map._values[_index]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < _map._names.Length;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }

    /// <summary>
    /// Changes to a map, made into a new one by <see cref="ToImmutable"/>. Replacing registers keeps the names shared with
    /// the map it started from; adding or removing a name copies them.
    /// </summary>
    public sealed class Builder
    {
        private ColumnMap _origin;
        private string[] _names;
        private ColumnValue[] _values;
        private int _count;
        private bool _ownsNames;
        private bool _ownsValues;

        internal Builder(ColumnMap origin)
        {
            _origin = origin;
            _names = origin._names;
            _values = origin._values;
            _count = origin._names.Length;
        }

        internal Builder(int capacity)
        {
            _origin = Empty;
            _names = new string[capacity];
            _values = new ColumnValue[capacity];
            _ownsNames = _ownsValues = capacity > 0;
        }

        /// <summary>The number of registers.</summary>
        public int Count => _count;

        /// <summary>The register of a column; setting it adds or replaces it.</summary>
        public ColumnValue this[string name]
        {
            get => TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No register of column '{name}'.");
            set
            {
                var i = IndexOf(_names, _count, name);
                if (i >= 0)
                {
                    Own(ref _values, ref _ownsValues, _count)[i] = value;
                    return;
                }

                Insert(~i, name, value);
            }
        }

        public bool TryGetValue(string name, out ColumnValue value)
        {
            var i = IndexOf(_names, _count, name);
            value = i >= 0 ? _values[i] : default;
            return i >= 0;
        }

        public bool ContainsKey(string name) => IndexOf(_names, _count, name) >= 0;

        /// <summary>Adds a column's register; false, changing nothing, when it has one.</summary>
        public bool TryAdd(string name, ColumnValue value)
        {
            var i = IndexOf(_names, _count, name);
            if (i >= 0)
            {
                return false;
            }

            Insert(~i, name, value);
            return true;
        }

        /// <summary>Removes a column's register; false when there is none.</summary>
        public bool Remove(string name)
        {
            var i = IndexOf(_names, _count, name);
            if (i < 0)
            {
                return false;
            }

            Own(ref _names, ref _ownsNames, _count);
            Own(ref _values, ref _ownsValues, _count);
            Array.Copy(_names, i + 1, _names, i, _count - i - 1);
            Array.Copy(_values, i + 1, _values, i, _count - i - 1);
            _count--;
            return true;
        }

        /// <summary>The map of the registers as they are now.</summary>
        public ColumnMap ToImmutable()
        {
            if (!_ownsNames && !_ownsValues)
            {
                return _origin;
            }

            if (_count == 0)
            {
                _ownsNames = _ownsValues = false;
                _names = [];
                _values = [];
                return _origin = Empty;
            }

            var names = _names.Length == _count ? _names : _names[.._count];
            var values = _values.Length == _count ? _values : _values[.._count];

            // The arrays now belong to the map: a later change through this builder copies them again.
            _ownsNames = _ownsValues = false;
            _names = names;
            _values = values;
            return _origin = new ColumnMap(names, values);
        }

        private void Insert(int at, string name, ColumnValue value)
        {
            Own(ref _names, ref _ownsNames, _count, _count + 1);
            Own(ref _values, ref _ownsValues, _count, _count + 1);
            Array.Copy(_names, at, _names, at + 1, _count - at);
            Array.Copy(_values, at, _values, at + 1, _count - at);
            _names[at] = name;
            _values[at] = value;
            _count++;
        }

        /// <summary>
        /// The array as this builder's own, copied when it is shared (with a map) or holds fewer than
        /// <paramref name="capacity"/> items; an own array grows by doubling.
        /// </summary>
        private static T[] Own<T>(ref T[] array, ref bool owned, int count, int capacity = 0)
        {
            if (!owned || array.Length < capacity)
            {
                var copy = new T[Math.Max(Math.Max(capacity, count), owned ? array.Length * 2 : 0)];
                Array.Copy(array, copy, count);
                array = copy;
                owned = true;
            }

            return array;
        }
    }
}
