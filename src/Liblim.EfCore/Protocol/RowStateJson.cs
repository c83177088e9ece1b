using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Protocol;

/// <summary>
/// The JSON form of a row state on the wire:
/// <c>{"t":base-clock,"v":{column:value},"c":{column:clock},"p":{column:prior},"a":[add-tag],"d":[tombstone]}</c>.
/// Every column in <c>v</c> was written at <c>t</c> unless <c>c</c> names its own clock, and over no register unless
/// <c>p</c> names the clock of the one its write replaced (<see cref="ColumnValue.Prior"/>); empty members are left out.
/// A clock in <c>c</c>, <c>p</c>, <c>a</c> or <c>d</c> issued by the node of <c>t</c> is written as its ticks alone (see
/// <see cref="RowStateTimestamp"/>).
/// </summary>
internal static class RowStateJson
{
    public static void Write(Utf8JsonWriter json, RowState state)
    {
        json.WriteStartObject();
        HybridTimestamp? shortFor = null;
        if (!state.Columns.IsEmpty)
        {
            var baseClock = BaseClock.Of(state);
            shortFor = baseClock;
            json.WriteString("t", baseClock.ToString());
            if (!PlainNames(state))
            {
                WriteEscapedNames(json, state, baseClock);
                WriteTags(json, "a", state.AddTags, shortFor);
                WriteTags(json, "d", state.Tombstones, shortFor);
                json.WriteEndObject();
                return;
            }

            json.WriteStartObject("v");
            foreach (var (name, value) in state.Columns)
            {
                json.WritePropertyName(name);
                json.WriteRawValue(value.Json ?? throw new InvalidOperationException($"The value of {state.Table}.{name} (row {state.Key}) was not loaded."), skipInputValidation: true);
            }

            json.WriteEndObject();
            var (ownClocks, priors) = (false, false);
            foreach (var (_, value) in state.Columns)
            {
                ownClocks |= value.Clock != baseClock;
                priors |= value.Prior is not null;
            }

            if (ownClocks)
            {
                json.WriteStartObject("c");
                foreach (var (name, value) in state.Columns)
                {
                    if (value.Clock != baseClock)
                    {
                        json.WritePropertyName(name);
                        RowStateTimestamp.Write(json, value.Clock, baseClock);
                    }
                }

                json.WriteEndObject();
            }

            if (priors)
            {
                json.WriteStartObject("p");
                foreach (var (name, value) in state.Columns)
                {
                    if (value.Prior is { } prior)
                    {
                        json.WritePropertyName(name);
                        RowStateTimestamp.Write(json, prior, baseClock);
                    }
                }

                json.WriteEndObject();
            }
        }

        WriteTags(json, "a", state.AddTags, shortFor);
        WriteTags(json, "d", state.Tombstones, shortFor);
        json.WriteEndObject();
    }

    /// <summary>
    /// Whether every column name of the state is written the same by any JSON writer: printable ASCII without a quote or a
    /// backslash (checked without allocating, per row sent). Other names are written as values are
    /// (<see cref="CanonicalJson.Quote"/>), so that names and values escape alike.
    /// </summary>
    private static bool PlainNames(RowState state)
    {
        foreach (var (name, _) in state.Columns)
        {
            foreach (var c in name)
            {
                if (c is < ' ' or > '~' or '"' or '\\')
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Writes <c>"v"</c> and <c>"c"</c> of a state whose column names need escapes, with the names quoted as values are.</summary>
    private static void WriteEscapedNames(Utf8JsonWriter json, RowState state, HybridTimestamp baseClock)
    {
        var values = new StringBuilder("{");
        var clocks = new StringBuilder("{");
        var priors = new StringBuilder("{");
        foreach (var (name, value) in state.Columns)
        {
            CanonicalJson.AppendQuoted(values.Append(values.Length > 1 ? "," : ""), name).Append(':')
                .Append(value.Json ?? throw new InvalidOperationException($"The value of {state.Table}.{name} (row {state.Key}) was not loaded."));
            if (value.Clock != baseClock)
            {
                CanonicalJson.AppendQuoted(clocks.Append(clocks.Length > 1 ? "," : ""), name).Append(':')
                    .Append('"').Append(RowStateTimestamp.Text(value.Clock, baseClock)).Append('"');
            }

            if (value.Prior is { } prior)
            {
                CanonicalJson.AppendQuoted(priors.Append(priors.Length > 1 ? "," : ""), name).Append(':')
                    .Append('"').Append(RowStateTimestamp.Text(prior, baseClock)).Append('"');
            }
        }

        json.WritePropertyName("v");
        json.WriteRawValue(values.Append('}').ToString(), skipInputValidation: true);
        foreach (var (member, text) in new[] { ("c", clocks), ("p", priors) })
        {
            if (text.Length > 1)
            {
                json.WritePropertyName(member);
                json.WriteRawValue(text.Append('}').ToString(), skipInputValidation: true);
            }
        }
    }

    /// <exception cref="FormatException">The JSON is not a row state.</exception>
    public static RowState Read(string table, string key, ReadOnlyMemory<byte> utf8)
    {
        try
        {
            return ReadState(table, key, utf8);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json refuses to turn an escaped lone UTF-16 surrogate (\ud800) of a name or a timestamp into text.
            throw new FormatException("a member name or a timestamp of the row state is not Unicode text (an escaped lone UTF-16 surrogate).", e);
        }
    }

    private static RowState ReadState(string table, string key, ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"the row state is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("a row state is a JSON object.");
            }

            HybridTimestamp? baseClock = null;
            JsonElement? values = null, clocks = null, priors = null, addTagElements = null, tombstoneElements = null;
            var seen = 0; // one bit per member name
            foreach (var member in root.EnumerateObject())
            {
                var index = MemberIndex(member);
                if (index < 0)
                {
                    throw new FormatException($"a row state has no member '{member.Name}' (expected t, v, c, p, a, d).");
                }

                if ((seen & (1 << index)) != 0)
                {
                    throw new FormatException($"a row state has member '{member.Name}' twice.");
                }

                seen |= 1 << index;
                switch (index)
                {
                    case 0: baseClock = Timestamp(member.Value, "t"); break;
                    case 1: values = Object(member.Value, "v"); break;
                    case 2: clocks = Object(member.Value, "c"); break;
                    case 3: priors = Object(member.Value, "p"); break;
                    case 4: addTagElements = Array(member.Value, "a"); break;
                    default: tombstoneElements = Array(member.Value, "d"); break;
                }
            }

            var columns = ColumnMap.CreateBuilder(values?.GetPropertyCount() ?? 0);
            int clocksFound = 0, priorsFound = 0;
            if (values is { } v)
            {
                if (baseClock is null)
                {
                    throw new FormatException("a row state with values needs its base clock 't'.");
                }

                var names = t_names ??= new string?[16];
                var i = 0;
                foreach (var column in v.EnumerateObject())
                {
                    var name = NameOf(column, names, i++);
                    var clock = baseClock.Value;
                    if (clocks is { } c && c.TryGetProperty(name, out var own))
                    {
                        clock = RowStateTimestamp.Read(own, baseClock, "c", name);
                        clocksFound++;
                    }

                    HybridTimestamp? prior = null;
                    if (priors is { } p && p.TryGetProperty(name, out var before))
                    {
                        prior = RowStateTimestamp.Read(before, baseClock, "p", name);
                        priorsFound++;
                    }

                    if (prior >= clock)
                    {
                        throw new FormatException($"'p' gives column '{name}' a prior clock that is not earlier than its own clock.");
                    }

                    if (!columns.TryAdd(name, new ColumnValue(column.Value.GetRawText(), clock, prior)))
                    {
                        throw new FormatException($"column '{name}' appears twice.");
                    }
                }
            }

            // Each listed clock was found for a column of 'v' above: as many as the listing has, unless one names no column or one twice.
            CheckListing("c", clocks, clocksFound, columns);
            CheckListing("p", priors, priorsFound, columns);

            var addTags = Tags(addTagElements, baseClock, "a");
            var tombstones = Tags(tombstoneElements, baseClock, "d");
            if (columns.Count == 0 && addTags.IsEmpty && tombstones.IsEmpty)
            {
                throw new FormatException("a row state holds no values and no tags.");
            }

            return new RowState(table, key, columns.ToImmutable(), addTags, tombstones);
        }
    }

    // The column names of the rows parsed last on this thread, by position: rows of one table list the same names, read
    // once rather than as a new string per row.
    [ThreadStatic]
    private static string?[]? t_names;

    /// <summary>The name of a property, the string of the name at <paramref name="i"/> in <paramref name="names"/> when it is the same.</summary>
    private static string NameOf(JsonProperty property, string?[] names, int i)
    {
        if (i < names.Length && names[i] is { } known && property.NameEquals(known))
        {
            return known;
        }

        var name = property.Name;
        if (i < names.Length)
        {
            names[i] = name;
        }

        return name;
    }

    /// <summary>The position of a row state's member among t, v, c, p, a, d; -1 for any other.</summary>
    private static int MemberIndex(JsonProperty member)
        => member.NameEquals("t"u8) ? 0 : member.NameEquals("v"u8) ? 1 : member.NameEquals("c"u8) ? 2
            : member.NameEquals("p"u8) ? 3 : member.NameEquals("a"u8) ? 4 : member.NameEquals("d"u8) ? 5 : -1;

    /// <summary>Refuses a listing ('c' or 'p') with an entry for a column 'v' lacks, or for one column twice.</summary>
    private static void CheckListing(string member, JsonElement? listing, int found, ColumnMap.Builder columns)
    {
        if (listing is not { } given || given.GetPropertyCount() == found)
        {
            return;
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clock in given.EnumerateObject())
        {
            if (!columns.ContainsKey(clock.Name) || !listed.Add(clock.Name))
            {
                throw new FormatException($"'{member}' gives a clock for column '{clock.Name}' twice or without a value in 'v'.");
            }
        }
    }

    private static void WriteTags(Utf8JsonWriter json, string name, ImmutableSortedSet<HybridTimestamp> tags, HybridTimestamp? baseClock)
    {
        if (tags.IsEmpty)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var tag in tags)
        {
            RowStateTimestamp.Write(json, tag, baseClock);
        }

        json.WriteEndArray();
    }

    private static JsonElement Object(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object ? e : throw new FormatException($"'{name}' must be a JSON object.");

    private static JsonElement Array(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Array ? e : throw new FormatException($"'{name}' must be an array of timestamps.");

    /// <summary>The base clock <c>"t"</c>, always in the full text form.</summary>
    private static HybridTimestamp Timestamp(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.String && HybridTimestamp.TryParse(e.GetString(), out var ts)
            ? ts
            : throw new FormatException($"'{name}' must be a timestamp string (16 hex digits, '.', 32 hex digits).");

    private static ImmutableSortedSet<HybridTimestamp> Tags(JsonElement? tags, HybridTimestamp? baseClock, string name)
    {
        if (tags is not { } array)
        {
            return ImmutableSortedSet<HybridTimestamp>.Empty;
        }

        var builder = ImmutableSortedSet.CreateBuilder<HybridTimestamp>();
        foreach (var item in array.EnumerateArray())
        {
            builder.Add(RowStateTimestamp.Read(item, baseClock, name));
        }

        return builder.ToImmutable();
    }
}
