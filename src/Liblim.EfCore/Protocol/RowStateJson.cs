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
            Span<char> t = stackalloc char[HybridTimestamp.TextLength];
            baseClock.Format(t);
            json.WriteString("t"u8, t);
            if (!PlainNames(state))
            {
                WriteEscapedNames(json, state, baseClock);
                WriteTags(json, "a", state.AddTags, shortFor);
                WriteTags(json, "d", state.Tombstones, shortFor);
                json.WriteEndObject();
                return;
            }

            json.WriteStartObject("v");
            var position = 0;
            foreach (var (name, value) in state.Columns)
            {
                json.WritePropertyName(EncodedName(name, position++));
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

    // The column names of the rows written last on this thread, by position, as the protocol writer's encoder writes them:
    // rows of one table list the same names, encoded once rather than per row.
    [ThreadStatic]
    private static (string Name, JsonEncodedText Encoded)[]? t_names;

    /// <summary>The name at <paramref name="position"/> of a row's values as the protocol writer writes it.</summary>
    private static JsonEncodedText EncodedName(string name, int position)
    {
        var names = t_names ??= new (string, JsonEncodedText)[16];
        if (position < names.Length && names[position].Name == name)
        {
            return names[position].Encoded;
        }

        var encoded = JsonEncodedText.Encode(name, ProtocolWriter.JsonOptions.Encoder);
        if (position < names.Length)
        {
            names[position] = (name, encoded);
        }

        return encoded;
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
}
