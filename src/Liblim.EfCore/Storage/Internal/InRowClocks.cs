using System.Globalization;
using System.Text;
using System.Text.Json;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// The stored form of the metadata a shown row keeps in its own table (<see cref="Metadata.Internal.RowMetadataNames"/>):
/// its feed position in one column, and in the other its base clock (a stored timestamp of <see cref="CompactClocks"/>)
/// followed by whatever else it has, each part introduced by <c>;</c> and a letter: <c>;a</c> its add tags when they are
/// not exactly the base clock, <c>;t</c> its tombstones (both as stored tag sets), <c>;s</c> the number of the node it
/// came whole from, <c>;p</c> how far back its position before its latest change was (the distance in hex), when that
/// change was a local update or a merge (<see cref="RowUpdate"/>; a merge's follows with <c>.</c> and the number of the
/// node whose state it merged), and last <c>;c</c> its column clocks. A row right after its insert is its base clock alone:
/// <c>18c2a4f1b2c3000.2</c>.
/// </summary>
/// <remarks>
/// Column clocks (the registers <see cref="RegisterClocks"/> lists) are written short, since most rows that have them
/// have one or two, close to the base clock: a comma-separated list of <c>name:delta</c>, the name as it is (or as a JSON
/// string when it holds one of <c>:,;"\</c> or a control character), the delta the ticks' difference from the base
/// clock's in hex with its sign (<c>+</c> or <c>-</c>), followed by <c>.</c> and the node's number when the node is not
/// the base clock's; then the register's prior: nothing when it is the base clock (a column updated once after its
/// row's insert, the common case), <c>/</c> alone when it has none, or <c>/</c> and a delta of the same form:
/// <c>18c2a4f1b2c3000.2;cTitle:+13880000</c>. The entry named <c>""</c> holds the base prior alone.
/// </remarks>
internal static class InRowClocks
{
    private const char Separator = ';';

    // One per thread, reused: Compact runs for each row a merge or capture writes, and Expand for each row read.
    [ThreadStatic]
    private static StringBuilder? t_builder;

    [ThreadStatic]
    private static List<(string Name, Relative Clock, bool PriorGiven, Relative? Prior)>? t_entries;

    /// <summary>
    /// Whether a row's metadata is kept in its data row: alive, shown as it is, nothing kept aside. Every other row's
    /// metadata is a row of <c>__liblim_rows</c>.
    /// </summary>
    public static bool Fits(ShadowRow row) => row is { IsAlive: true, Held: null, Awaiting: null, KeptValues: null };

    /// <summary>The stored clocks of a row that <see cref="Fits"/>; <paramref name="nodes"/> numbers every node it names.</summary>
    /// <exception cref="FormatException">The row's clocks are malformed.</exception>
    public static string Compact(ShadowRow row, NodeNumbers nodes)
    {
        var clock = CompactClocks.Timestamp(row.Clock, nodes);
        var tags = CompactClocks.Tags(row.AddTags, row.Clock, nodes);
        var update = row.LatestUpdate;
        if (tags == CompactClocks.SameAsClock && row.Tombstones is null && row.Source is null && update is null && !row.ListsRegisters)
        {
            return clock;
        }

        var sb = (t_builder ??= new StringBuilder(256)).Clear().Append(clock);
        if (tags != CompactClocks.SameAsClock)
        {
            sb.Append(Separator).Append('a').Append(tags);
        }

        if (row.Tombstones is not null)
        {
            sb.Append(Separator).Append('t').Append(CompactClocks.Tags(row.Tombstones, row.Clock, nodes));
        }

        if (row.Source is not null)
        {
            sb.Append(Separator).Append('s').Append(nodes.NumberOf(row.Source).ToString(CultureInfo.InvariantCulture));
        }

        if (update is { } u)
        {
            sb.Append(Separator).Append('p').Append((u.Seq - u.Prior).ToString("x", CultureInfo.InvariantCulture));
            if (u.From is not null)
            {
                sb.Append('.').Append(nodes.NumberOf(u.From).ToString(CultureInfo.InvariantCulture));
            }
        }

        if (RegisterClocks.Of(row) is { } registers)
        {
            AppendRegisters(sb.Append(Separator).Append('c'), registers, HybridTimestamp.Parse(row.Clock), nodes);
        }

        return sb.ToString();
    }

    /// <summary>The logical row of a data row's stored metadata; <paramref name="nodes"/> holds every number it names (<see cref="NumbersOf"/>).</summary>
    /// <exception cref="FormatException">The stored clocks are damaged.</exception>
    public static ShadowRow Expand(string table, string key, long seq, string stored, NodeNumbers nodes)
    {
        var parts = Parse(stored);
        var clock = CompactClocks.FullTimestamp(parts.Clock, nodes);
        return new ShadowRow(
            table,
            key,
            seq,
            clock,
            null,
            CompactClocks.FullTags(parts.AddTags, clock, nodes),
            CompactClocks.FullTags(parts.Tombstones, clock, nodes),
            KeptValues: null,
            Source: parts.Source is { } source ? nodes.NodeOf(source) : null)
        {
            Update = parts.Back is { } back
                ? new RowUpdate(seq, back.Distance <= seq ? seq - back.Distance : throw Damaged(stored), back.From is { } from ? nodes.NodeOf(from) : null)
                : null,
            Registers = parts.ColumnClocks is null ? null : ExpandRegisters(parts.ColumnClocks, HybridTimestamp.Parse(clock), nodes, stored),
        };
    }

    /// <summary>The number of the node a row's state was taken whole from (its <c>;s</c> part); null when none.</summary>
    /// <exception cref="FormatException">The stored clocks are damaged.</exception>
    public static int? SourceOf(string stored) => stored.Contains(Separator, StringComparison.Ordinal) ? Parse(stored).Source : null;

    /// <summary>The node numbers stored clocks name.</summary>
    /// <exception cref="FormatException">The stored clocks are damaged.</exception>
    public static IEnumerable<int> NumbersOf(string stored)
    {
        var parts = Parse(stored);
        var numbers = CompactClocks.NumbersOf(parts.Clock)
            .Concat(CompactClocks.NumbersOf(parts.AddTags))
            .Concat(CompactClocks.NumbersOf(parts.Tombstones));
        if (parts.ColumnClocks is not null)
        {
            numbers = numbers.Concat(ReadColumnClocks(parts.ColumnClocks, stored, [])
                .SelectMany(c => new[] { c.Clock.Node, c.Prior?.Node })
                .Where(n => n is not null).Select(n => n!.Value));
        }

        if (parts.Back?.From is { } from)
        {
            numbers = numbers.Append(from);
        }

        return parts.Source is { } source ? numbers.Append(source) : numbers;
    }

    private static (string Clock, string AddTags, string? Tombstones, int? Source, (long Distance, int? From)? Back, string? ColumnClocks) Parse(string stored)
    {
        var end = stored.IndexOf(Separator);
        if (end < 0)
        {
            return (stored, CompactClocks.SameAsClock, null, null, null, null);
        }

        var clock = stored[..end];
        var addTags = CompactClocks.SameAsClock;
        string? tombstones = null;
        int? source = null;
        (long Distance, int? From)? back = null;
        string? columnClocks = null;
        while (end < stored.Length)
        {
            var start = end + 2;
            if (start > stored.Length)
            {
                throw Damaged(stored);
            }

            var kind = stored[end + 1];
            if (kind == 'c')
            {
                columnClocks = stored[start..];
                break;
            }

            end = stored.IndexOf(Separator, start);
            end = end < 0 ? stored.Length : end;
            var part = stored[start..end];
            switch (kind)
            {
                case 'a':
                    addTags = part;
                    break;
                case 't':
                    tombstones = part;
                    break;
                case 's' when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0:
                    source = number;
                    break;
                case 'p':
                    back = ParseBack(part) ?? throw Damaged(stored);
                    break;
                default:
                    throw Damaged(stored);
            }
        }

        return (clock, addTags, tombstones, source, back, columnClocks);
    }

    /// <summary>A <c>;p</c> part: the distance in hex, then <c>.</c> and a node number for a merge; null when malformed.</summary>
    private static (long Distance, int? From)? ParseBack(string part)
    {
        var dot = part.IndexOf('.');
        var distanceText = dot < 0 ? part.AsSpan() : part.AsSpan(0, dot);
        if (!long.TryParse(distanceText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var distance) || distance <= 0)
        {
            return null;
        }

        if (dot < 0)
        {
            return (distance, null);
        }

        return int.TryParse(part.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var from) && from > 0 ? (distance, from) : null;
    }

    /// <summary>The listing of a stored column clocks part: a register's prior is the base clock unless its entry says otherwise.</summary>
    private static RegisterListing ExpandRegisters(string part, HybridTimestamp baseClock, NodeNumbers nodes, string stored)
    {
        HybridTimestamp Full(Relative at)
            => at.Node is { } number ? nodes.Stamp(number, baseClock.Ticks + at.Delta) : baseClock.WithTicks(baseClock.Ticks + at.Delta);

        HybridTimestamp? basePrior = null;
        var entries = ReadColumnClocks(part, stored, t_entries ??= []);
        var i = 0;
        foreach (var entry in entries)
        {
            i += entry.Name == RegisterClocks.BasePrior ? 0 : 1;
        }

        var listed = new RegisterListing.Register[i];
        i = 0;
        foreach (var (name, clock, priorGiven, prior) in entries)
        {
            if (name == RegisterClocks.BasePrior)
            {
                basePrior = Full(clock);
                continue;
            }

            listed[i++] = new(name, Full(clock), !priorGiven ? baseClock : prior is { } p ? Full(p) : null);
        }

        return new RegisterListing(basePrior, listed);
    }

    /// <summary>Appends a listing's entries (the base prior first, then each listed register), each timestamp relative to the base clock.</summary>
    private static void AppendRegisters(StringBuilder sb, RegisterListing registers, HybridTimestamp baseClock, NodeNumbers nodes)
    {
        if (registers.BasePrior is { } basePrior)
        {
            CanonicalJson.AppendQuoted(sb, RegisterClocks.BasePrior).Append(':');
            AppendRelative(sb, basePrior, baseClock, nodes);
        }

        var first = registers.BasePrior is null;
        foreach (var (name, clock, prior) in registers.Listed)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            AppendName(sb, name).Append(':');
            AppendRelative(sb, clock, baseClock, nodes);
            if (prior != baseClock)
            {
                sb.Append('/');
                if (prior is { } p)
                {
                    AppendRelative(sb, p, baseClock, nodes);
                }
            }
        }
    }

    /// <summary>Appends a timestamp as its ticks' signed hex difference from the base clock's, and its node's number when not the base clock's.</summary>
    private static void AppendRelative(StringBuilder sb, HybridTimestamp clock, HybridTimestamp baseClock, NodeNumbers nodes)
    {
        var delta = clock.Ticks - baseClock.Ticks; // both in [0, 2^63): the difference fits
        sb.Append(delta < 0 ? '-' : '+').Append((delta < 0 ? -delta : delta).ToString("x", CultureInfo.InvariantCulture));
        if (!clock.HasNodeOf(baseClock))
        {
            sb.Append('.').Append(nodes.NumberOf(clock).ToString(CultureInfo.InvariantCulture));
        }
    }

    private static StringBuilder AppendName(StringBuilder sb, string name) => IsPlainName(name) ? sb.Append(name) : CanonicalJson.AppendQuoted(sb, name);

    /// <summary>
    /// The entries of the column clocks part: each column's name and clock (its ticks' difference from the base clock's, and
    /// its node's number when not the base clock's), and its prior: not given (null: the base clock), or given after
    /// <c>/</c> (null inside: none). The entry with the empty name is the base prior (<see cref="RegisterClocks"/>).
    /// Read into <paramref name="entries"/>, cleared first.
    /// </summary>
    private static List<(string Name, Relative Clock, bool PriorGiven, Relative? Prior)> ReadColumnClocks(
        string part, string stored, List<(string Name, Relative Clock, bool PriorGiven, Relative? Prior)> entries)
    {
        entries.Clear();
        var i = 0;
        while (i < part.Length)
        {
            // The name: as it is up to ':', or a JSON string.
            var nameEnd = part[i] == '"' ? EndOfJsonString(part, i) : part.IndexOf(':', i);
            if (nameEnd <= i || nameEnd >= part.Length || part[nameEnd] != ':')
            {
                throw Damaged(stored);
            }

            var name = part[i] == '"' ? JsonSerializer.Deserialize<string>(part.AsSpan(i, nameEnd - i))! : part[i..nameEnd];
            i = nameEnd + 1;
            var clock = ReadRelative(part, ref i, stored);
            var priorGiven = i < part.Length && part[i] == '/';
            Relative? prior = null;
            if (priorGiven && ++i < part.Length && part[i] != ',')
            {
                prior = ReadRelative(part, ref i, stored);
            }

            if (i < part.Length && part[i++] != ',')
            {
                throw Damaged(stored);
            }

            entries.Add((name, clock, priorGiven, prior));
        }

        return entries;
    }

    /// <summary>A timestamp relative to the base clock at <paramref name="i"/> (a sign, hex digits, then perhaps '.' and a node number), moving past it.</summary>
    private static Relative ReadRelative(string part, ref int i, string stored)
    {
        var sign = i;
        var end = sign + 1;
        while (end < part.Length && part[end] is not ('.' or ',' or '/'))
        {
            end++;
        }

        if (sign >= part.Length || part[sign] is not ('+' or '-') || end == sign + 1
            || !long.TryParse(part.AsSpan(sign + 1, end - sign - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var delta) || delta < 0)
        {
            throw Damaged(stored);
        }

        int? node = null;
        if (end < part.Length && part[end] == '.')
        {
            var numberStart = end + 1;
            end = numberStart;
            while (end < part.Length && part[end] is not (',' or '/'))
            {
                end++;
            }

            node = int.TryParse(part.AsSpan(numberStart, end - numberStart), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? number
                : throw Damaged(stored);
        }

        i = end;
        return new Relative(part[sign] == '-' ? -delta : delta, node);
    }

    /// <summary>A timestamp of the column clocks part: its ticks' difference from the base clock's, and its node's number when not the base clock's.</summary>
    private readonly record struct Relative(long Delta, int? Node);

    /// <summary>Where the JSON string starting at <paramref name="start"/> (a quote) ends: the index after its closing quote; -1 when it does not.</summary>
    private static int EndOfJsonString(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i + 1;
            }
        }

        return -1;
    }

    /// <summary>Whether a column name is written as it is: none of the characters the form uses, no control character, not empty.</summary>
    private static bool IsPlainName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is ':' or ',' or ';' or '"' or '\\' || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private static FormatException Damaged(string stored)
        => new($"'{stored}' is not a row's stored clocks (a stored timestamp, then ';a', ';t', ';s' or ';c' parts): the stored metadata is damaged.");
}
