using System.Globalization;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// The stored forms of the clocks of a metadata row. A timestamp is stored as its ticks in lowercase hex without
/// leading zeros, a dot, and its node's local number in decimal (<c>18c2a4f1b2c3000.2</c> for
/// <c>018c2a4f1b2c3000.&lt;the node's 32 hex digits&gt;</c>); a tag set as a comma list of such timestamps, or as
/// <see cref="SameAsClock"/> when it is exactly the row's base clock; column clocks as the same JSON object with
/// stored timestamps as values. Everything else is written and read in the text forms of <see cref="HybridTimestamp"/>.
/// </summary>
internal static class CompactClocks
{
    /// <summary>The stored tag set that is exactly the row's base clock: a row's add tags right after its insert.</summary>
    public const string SameAsClock = "=";

    private const int TicksDigits = 16;

    /// <summary>The stored form of the text form of a timestamp.</summary>
    /// <exception cref="FormatException">The text is not a timestamp.</exception>
    public static string Timestamp(string text, NodeNumbers nodes) => nodes.StoredForm(text, StoreTimestamp);

    private static string StoreTimestamp(string text, NodeNumbers nodes)
    {
        CheckTimestamp(text);
        var ticks = text.AsSpan(0, TicksDigits).TrimStart('0');
        return string.Concat(ticks.IsEmpty ? "0" : ticks, ".", nodes.NumberOf(Node(text)).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The text form of a stored timestamp.</summary>
    /// <exception cref="FormatException">The stored text is not a stored timestamp, or names no known node.</exception>
    public static string FullTimestamp(string stored, NodeNumbers nodes) => nodes.FullForm(stored, ExpandTimestamp);

    private static string ExpandTimestamp(string stored, NodeNumbers nodes)
    {
        var number = NumberOf(stored, out var ticks);
        return string.Concat(new string('0', TicksDigits - ticks.Length), ticks, ".", nodes.NodeOf(number));
    }

    /// <summary>The stored form of a comma-separated tag set (add tags or tombstones) of a row whose base clock is <paramref name="clock"/>.</summary>
    public static string? Tags(string? tags, string clock, NodeNumbers nodes)
        => tags is null ? null
            : tags == clock ? SameAsClock
            : EachOfList(tags, nodes, Timestamp);

    /// <summary>The text form of a stored tag set of a row whose base clock (text form) is <paramref name="clock"/>.</summary>
    public static string? FullTags(string? stored, string clock, NodeNumbers nodes)
        => stored is null ? null
            : stored == SameAsClock ? clock
            : EachOfList(stored, nodes, FullTimestamp);

    /// <summary>A comma list with each of its timestamps converted; a list of one (most rows) without splitting it.</summary>
    private static string EachOfList(string list, NodeNumbers nodes, Func<string, NodeNumbers, string> convert)
    {
        if (!list.Contains(',', StringComparison.Ordinal))
        {
            return convert(list, nodes);
        }

        var items = list.Split(',');
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = convert(items[i], nodes);
        }

        return string.Join(',', items);
    }

    /// <summary>The stored form of column clocks: the same JSON object, in the same order, with stored timestamps.</summary>
    /// <exception cref="FormatException">The text is not a JSON object of timestamps.</exception>
    public static string? ColumnClocks(string? json, NodeNumbers nodes)
        => json is null ? null : nodes.StoredForm(json, static (j, n) => MapValues(j, t => Timestamp(t, n)));

    /// <summary>The text form of stored column clocks.</summary>
    public static string? FullColumnClocks(string? stored, NodeNumbers nodes)
        => stored is null ? null : nodes.FullForm(stored, static (j, n) => MapValues(j, t => FullTimestamp(t, n)));

    /// <summary>The node ids (32 hex digits) of the timestamps of a tag set, column clocks or a clock, in text form.</summary>
    /// <remarks>Only locates the node ids (each timestamp is checked when it is stored, by <see cref="Timestamp"/>).</remarks>
    public static IEnumerable<string> NodesOf(string? tagsOrClock, string? columnClocks = null)
    {
        var nodes = new List<string>(1);
        for (var start = 0; tagsOrClock is not null && start < tagsOrClock.Length; start += HybridTimestamp.TextLength + 1)
        {
            var end = tagsOrClock.IndexOf(',', start);
            if ((end < 0 ? tagsOrClock.Length : end) - start != HybridTimestamp.TextLength)
            {
                CheckTimestamp(tagsOrClock[start..(end < 0 ? tagsOrClock.Length : end)]);
            }

            nodes.Add(tagsOrClock.Substring(start + TicksDigits + 1, HybridTimestamp.TextLength - TicksDigits - 1));
        }

        foreach (var (_, value) in columnClocks is null ? [] : ColumnClocksJson.Read(columnClocks))
        {
            foreach (var t in RegisterClocks.TimestampsOf(value))
            {
                CheckTimestamp(t);
                nodes.Add(Node(t));
            }
        }

        return nodes;
    }

    /// <summary>
    /// Whether every timestamp of a tag set or clock (text form) names a node numbered here, looked up without copying
    /// its id; false also for text that is not a list of timestamps (<see cref="NodesOf"/> then checks it).
    /// </summary>
    public static bool AllNumbered(string? tagsOrClock, NodeNumbers nodes)
    {
        for (var start = 0; tagsOrClock is not null && start < tagsOrClock.Length; start += HybridTimestamp.TextLength + 1)
        {
            var end = tagsOrClock.IndexOf(',', start);
            if ((end < 0 ? tagsOrClock.Length : end) - start != HybridTimestamp.TextLength
                || !nodes.Contains(tagsOrClock.AsSpan(start + TicksDigits + 1, HybridTimestamp.TextLength - TicksDigits - 1)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether every clock of column clocks (text form, as written: no escapes) names a node numbered here; false also
    /// for any other text (<see cref="NodesOf"/> then checks it). Without escapes a name holds no quote, so each
    /// <c>":"</c> is where a name ends and its clock begins.
    /// </summary>
    public static bool AllNumberedColumns(string columnClocks, NodeNumbers nodes)
    {
        if (columnClocks.Contains('\\'))
        {
            return false;
        }

        for (var i = columnClocks.IndexOf("\":\"", StringComparison.Ordinal); i >= 0; i = columnClocks.IndexOf("\":\"", i, StringComparison.Ordinal))
        {
            // A register's clock, then perhaps '/' and its prior (RegisterClocks), or the base prior alone.
            var start = i + 3;
            if (!Numbered(columnClocks, start, nodes))
            {
                return false;
            }

            i = start + HybridTimestamp.TextLength;
            if (columnClocks[i] == '/' && columnClocks[i + 1] != '"')
            {
                if (!Numbered(columnClocks, i + 1, nodes))
                {
                    return false;
                }

                i += 1 + HybridTimestamp.TextLength;
            }
            else if (columnClocks[i] == '/')
            {
                i++;
            }

            if (columnClocks[i] != '"')
            {
                return false;
            }
        }

        return true;

        static bool Numbered(string text, int start, NodeNumbers nodes)
            => start + HybridTimestamp.TextLength < text.Length
               && nodes.Contains(text.AsSpan(start + TicksDigits + 1, HybridTimestamp.TextLength - TicksDigits - 1));
    }

    /// <summary>The node numbers of the timestamps of a stored tag set (not <see cref="SameAsClock"/>), stored column clocks or a stored clock.</summary>
    public static IEnumerable<int> NumbersOf(string? storedTagsOrClock, string? storedColumnClocks = null)
    {
        var timestamps = storedTagsOrClock is null or SameAsClock ? [] : storedTagsOrClock.Split(',');
        var clocks = storedColumnClocks is null ? [] : ColumnClocksJson.Read(storedColumnClocks).SelectMany(p => RegisterClocks.TimestampsOf(p.Value));
        return timestamps.Concat(clocks).Select(t => NumberOf(t, out _));
    }

    /// <summary>The node number and ticks of each timestamp of a stored tag set of a row whose stored base clock is <paramref name="storedClock"/>.</summary>
    public static IEnumerable<(int Number, long Ticks)> StoredTags(string storedTags, string storedClock)
        => (storedTags == SameAsClock ? storedClock : storedTags).Split(',').Select(t =>
        {
            var number = NumberOf(t, out var ticks);
            return (number, long.Parse(ticks, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        });

    private static string Node(string timestamp) => timestamp[(TicksDigits + 1)..];

    private static void CheckTimestamp(string text)
    {
        if (!HybridTimestamp.TryParse(text, out _))
        {
            throw new FormatException($"'{text}' is not a liblim timestamp (expected 16 hex digits, '.', 32 hex digits).");
        }
    }

    /// <summary>The node number of a stored timestamp, and its ticks digits.</summary>
    private static int NumberOf(string stored, out ReadOnlySpan<char> ticks)
    {
        var dot = stored.IndexOf('.', StringComparison.Ordinal);
        ticks = dot < 0 ? default : stored.AsSpan(0, dot);
        var number = dot < 0 ? default : stored.AsSpan(dot + 1);
        if (ticks.Length is < 1 or > TicksDigits || !AsciiText.IsLowerHex(ticks) || (ticks.Length > 1 && ticks[0] == '0')
            || number.IsEmpty || number[0] == '0' || !AsciiText.IsDigits(number)
            || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new FormatException($"'{stored}' is not a stored liblim timestamp (expected hex ticks, '.', a node number).");
        }

        return n;
    }

    private static string MapValues(string json, Func<string, string> map)
        => ColumnClocksJson.Write(ColumnClocksJson.Read(json).Select(p => KeyValuePair.Create(p.Key, RegisterClocks.Map(p.Key, p.Value, map))));

}
