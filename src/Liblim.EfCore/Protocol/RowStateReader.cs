using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Protocol;

/// <summary>
/// Reads a row state's JSON (the form <see cref="RowStateJson"/> writes) in one pass over its bytes: each value's text is cut from the
/// line as it was sent, timestamps are read from their bytes, and the members may come in any order (a short timestamp
/// in <c>"c"</c>, <c>"p"</c>, <c>"a"</c> or <c>"d"</c> is resolved once <c>"t"</c> is known). One reader per thread keeps
/// its lists between rows, so a row costs the strings and registers of its state and little else.
/// </summary>
internal sealed class RowStateReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 8 };

    [ThreadStatic]
    private static RowStateReader? t_reader;

    private readonly List<(string Name, string Json)> _values = [];
    private readonly List<Listed> _clocks = [];
    private readonly List<Listed> _priors = [];
    private readonly List<RowStateTimestamp.Pending> _addTags = [];
    private readonly List<RowStateTimestamp.Pending> _tombstones = [];

    // The clocks "c" and "p" give, by the position of their column in "v" (ByPosition), reused from row to row.
    private HybridTimestamp?[] _clockAt = new HybridTimestamp?[16];
    private HybridTimestamp?[] _priorAt = new HybridTimestamp?[16];

    // The column names of the rows read last, by position: rows of one table list the same names, read once rather
    // than as a new string per row.
    private readonly string?[] _names = new string?[16];

    /// <summary>The row state a row line's JSON gives for <paramref name="table"/> and <paramref name="key"/>.</summary>
    /// <exception cref="FormatException">The JSON is not a row state.</exception>
    public static RowState Read(string table, string key, ReadOnlySpan<byte> utf8)
    {
        var reader = t_reader ??= new RowStateReader();
        try
        {
            return reader.ReadState(table, key, utf8);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the row state is not valid JSON ({e.Message})", e);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json refuses to turn an escaped lone UTF-16 surrogate (\ud800) of a name or a timestamp into text.
            throw new FormatException("a member name or a timestamp of the row state is not Unicode text (an escaped lone UTF-16 surrogate).", e);
        }
        finally
        {
            reader.Clear();
        }
    }

    private RowState ReadState(string table, string key, ReadOnlySpan<byte> utf8)
    {
        var json = new Utf8JsonReader(utf8, Options);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("a row state is a JSON object.");
        }

        HybridTimestamp? baseClock = null;
        var seen = 0; // one bit per member name
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var index = MemberIndex(ref json);
            if (index < 0)
            {
                throw new FormatException($"a row state has no member '{json.GetString()}' (expected t, v, c, p, a, d).");
            }

            if ((seen & (1 << index)) != 0)
            {
                throw new FormatException($"a row state has member '{json.GetString()}' twice.");
            }

            seen |= 1 << index;
            json.Read();
            switch (index)
            {
                case 0: baseClock = BaseClock(ref json); break;
                case 1: ReadValues(ref json, utf8); break;
                case 2: ReadListing(ref json, "c", _clocks); break;
                case 3: ReadListing(ref json, "p", _priors); break;
                case 4: ReadTags(ref json, "a", _addTags); break;
                default: ReadTags(ref json, "d", _tombstones); break;
            }
        }

        if (json.Read())
        {
            throw new FormatException("a row state is one JSON object."); // the reader refuses anything after it first
        }

        var columns = Registers(baseClock, valuesGiven: (seen & (1 << 1)) != 0);
        var addTags = Tags(_addTags, baseClock, "a");
        var tombstones = Tags(_tombstones, baseClock, "d");
        if (columns.Count == 0 && addTags.IsEmpty && tombstones.IsEmpty)
        {
            throw new FormatException("a row state holds no values and no tags.");
        }

        return new RowState(table, key, columns, addTags, tombstones);
    }

    /// <summary>
    /// The registers of <c>"v"</c>, each at its clock in <c>"c"</c> (else the base clock) and over its prior in <c>"p"</c>.
    /// A <c>"v"</c> given, even empty, needs the base clock.
    /// </summary>
    private ColumnMap Registers(HybridTimestamp? baseClock, bool valuesGiven)
    {
        if (valuesGiven && baseClock is null)
        {
            throw new FormatException("a row state with values needs its base clock 't'.");
        }

        if (_values.Count == 0)
        {
            CheckListed("c", _clocks);
            CheckListed("p", _priors);
            return ColumnMap.Empty;
        }

        var at = baseClock!.Value;
        var clocks = ByPosition("c", _clocks, baseClock, ref _clockAt);
        var priors = ByPosition("p", _priors, baseClock, ref _priorAt);
        var columns = ColumnMap.CreateBuilder(_values.Count);
        for (var i = 0; i < _values.Count; i++)
        {
            var (name, value) = _values[i];
            var clock = clocks?[i] ?? at;
            var prior = priors?[i];
            if (prior >= clock)
            {
                throw new FormatException($"'p' gives column '{name}' a prior clock that is not earlier than its own clock.");
            }

            if (!columns.TryAdd(name, new ColumnValue(value, clock, prior)))
            {
                throw new FormatException($"column '{name}' appears twice.");
            }
        }

        return columns.ToImmutable();
    }

    /// <summary>
    /// The clocks a listing (<c>"c"</c> or <c>"p"</c>) gives, by the position of their column in <c>"v"</c>, in
    /// <paramref name="byPosition"/> (reused); null when it gives none. A listed column <c>"v"</c> lacks, or one listed
    /// twice, is refused.
    /// </summary>
    private HybridTimestamp?[]? ByPosition(string member, List<Listed> listing, HybridTimestamp? baseClock, ref HybridTimestamp?[] byPosition)
    {
        if (listing.Count == 0)
        {
            return null;
        }

        if (byPosition.Length < _values.Count)
        {
            byPosition = new HybridTimestamp?[_values.Count];
        }

        Array.Clear(byPosition, 0, _values.Count);
        Dictionary<string, int>? positions = null;
        foreach (var (column, known, clock) in listing)
        {
            var i = known >= 0 ? known : (positions ??= Positions()).GetValueOrDefault(column, -1);
            if (i < 0 || byPosition[i] is not null)
            {
                throw new FormatException($"'{member}' gives a clock for column '{column}' twice or without a value in 'v'.");
            }

            byPosition[i] = clock.Resolve(baseClock, member, column);
        }

        return byPosition;
    }

    /// <summary>The position of each column of <c>"v"</c> (the first, of a name given twice).</summary>
    private Dictionary<string, int> Positions()
    {
        var positions = new Dictionary<string, int>(_values.Count, StringComparer.Ordinal);
        for (var i = 0; i < _values.Count; i++)
        {
            positions.TryAdd(_values[i].Name, i);
        }

        return positions;
    }

    private static void CheckListed(string member, List<Listed> listing)
    {
        if (listing.Count > 0)
        {
            throw new FormatException($"'{member}' gives a clock for column '{listing[0].Column}' twice or without a value in 'v'.");
        }
    }

    /// <summary>Reads <c>"v"</c>: each column's name and the text of its value as sent.</summary>
    private void ReadValues(ref Utf8JsonReader json, ReadOnlySpan<byte> utf8)
    {
        ExpectObject(ref json, "v");
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var name = NameOf(ref json, _values.Count);
            json.Read();
            var start = (int)json.TokenStartIndex;
            if (json.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                json.Skip();
            }

            _values.Add((name, Encoding.UTF8.GetString(utf8[start..(int)json.BytesConsumed])));
        }
    }

    /// <summary>Reads <c>"c"</c> or <c>"p"</c>: a timestamp per column.</summary>
    private void ReadListing(ref Utf8JsonReader json, string member, List<Listed> listing)
    {
        ExpectObject(ref json, member);
        var next = 0;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var (column, position) = ListedName(ref json, ref next);
            json.Read();
            listing.Add(new(column, position, RowStateTimestamp.Read(ref json, member, column)));
        }
    }

    private static void ReadTags(ref Utf8JsonReader json, string member, List<RowStateTimestamp.Pending> tags)
    {
        if (json.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException($"'{member}' must be an array of timestamps.");
        }

        while (json.Read() && json.TokenType != JsonTokenType.EndArray)
        {
            tags.Add(RowStateTimestamp.Read(ref json, member));
        }
    }

    private static ImmutableSortedSet<HybridTimestamp> Tags(List<RowStateTimestamp.Pending> tags, HybridTimestamp? baseClock, string member)
    {
        switch (tags.Count)
        {
            case 0:
                return ImmutableSortedSet<HybridTimestamp>.Empty;
            case 1:
                return ImmutableSortedSet.Create(tags[0].Resolve(baseClock, member)); // most rows: one insert
            default:
                var builder = ImmutableSortedSet.CreateBuilder<HybridTimestamp>();
                foreach (var tag in tags)
                {
                    builder.Add(tag.Resolve(baseClock, member));
                }

                return builder.ToImmutable();
        }
    }

    /// <summary>The base clock <c>"t"</c>, always in the full text form.</summary>
    private static HybridTimestamp BaseClock(ref Utf8JsonReader json)
        => RowStateTimestamp.Read(ref json, "t") is { IsShort: false } whole
            ? whole.Whole
            : throw new FormatException("'t' must be a timestamp string (16 hex digits, '.', 32 hex digits), not ticks alone.");

    /// <summary>The name the reader is at, the string of the name at <paramref name="i"/> of the rows before when it is the same.</summary>
    private string NameOf(ref Utf8JsonReader json, int i)
    {
        if (i < _names.Length && _names[i] is { } known && json.ValueTextEquals(known))
        {
            return known;
        }

        var name = json.GetString()!;
        if (i < _names.Length)
        {
            _names[i] = name;
        }

        return name;
    }

    /// <summary>
    /// The column name a listing gives, and its position in <c>"v"</c> when <c>"v"</c> came first (as writers send it) and
    /// holds it at <paramref name="next"/> or a few columns on (listings name their columns in the order of <c>"v"</c>);
    /// else -1, for <see cref="ByPosition"/> to look up.
    /// </summary>
    private (string Name, int Position) ListedName(ref Utf8JsonReader json, ref int next)
    {
        for (var i = next; i < _values.Count && i < next + _names.Length; i++)
        {
            if (json.ValueTextEquals(_values[i].Name))
            {
                next = i + 1;
                return (_values[i].Name, i);
            }
        }

        return (json.GetString()!, -1);
    }

    /// <summary>The position of a row state's member among t, v, c, p, a, d; -1 for any other.</summary>
    private static int MemberIndex(ref Utf8JsonReader json)
        => json.ValueTextEquals("t"u8) ? 0 : json.ValueTextEquals("v"u8) ? 1 : json.ValueTextEquals("c"u8) ? 2
            : json.ValueTextEquals("p"u8) ? 3 : json.ValueTextEquals("a"u8) ? 4 : json.ValueTextEquals("d"u8) ? 5 : -1;

    private static void ExpectObject(ref Utf8JsonReader json, string member)
    {
        if (json.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"'{member}' must be a JSON object.");
        }
    }

    /// <summary>A column's clock in a listing, and the column's position in <c>"v"</c> where known (else -1).</summary>
    private readonly record struct Listed(string Column, int Position, RowStateTimestamp.Pending Clock);

    private void Clear()
    {
        _values.Clear();
        _clocks.Clear();
        _priors.Clear();
        _addTags.Clear();
        _tombstones.Clear();
    }
}
