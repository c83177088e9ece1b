using System.Globalization;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Turns the logical metadata row (<see cref="ShadowRow"/>, in the text forms the rest of Liblim uses) into the row
/// <c>__liblim_rows</c> holds (<see cref="StoredShadowRow"/>) and back: the key as bytes (<see cref="RowKeyBytes"/>), the
/// clocks with node numbers (<see cref="CompactClocks"/>), the source as a node number. Every other column is stored
/// as it is.
/// </summary>
internal static class CompactShadowRow
{
    /// <summary>The stored form of a row; <paramref name="nodes"/> must number every node the row names (<see cref="NodesOf(ShadowRow)"/>).</summary>
    /// <exception cref="FormatException">The row's key or clocks are malformed.</exception>
    public static StoredShadowRow Compact(ShadowRow row, NodeNumbers nodes) => new()
    {
        TableName = row.Table,
        RowKey = RowKeyBytes.Encode(row.Key),
        Seq = row.Seq,
        Clock = CompactClocks.Timestamp(row.Clock, nodes),
        ColumnClocks = CompactClocks.ColumnClocks(row.ColumnClocks, nodes),
        AddTags = CompactClocks.Tags(row.AddTags, row.Clock, nodes),
        Tombstones = CompactClocks.Tags(row.Tombstones, row.Clock, nodes),
        KeptValues = row.KeptValues,
        Source = row.Source is null ? null : nodes.NumberOf(row.Source), // a source the nodes number was checked when numbered
        Held = row.Held,
        Awaiting = row.Awaiting,
    };

    /// <summary>The logical form of a stored row; <paramref name="nodes"/> must hold every number the row names (<see cref="NumbersOf"/>).</summary>
    /// <exception cref="FormatException">The stored row is damaged.</exception>
    public static ShadowRow Expand(StoredShadowRow row, NodeNumbers nodes)
    {
        var clock = CompactClocks.FullTimestamp(row.Clock, nodes);
        return new ShadowRow(
            row.TableName,
            RowKeyBytes.Decode(row.RowKey),
            row.Seq,
            clock,
            CompactClocks.FullColumnClocks(row.ColumnClocks, nodes),
            CompactClocks.FullTags(row.AddTags, clock, nodes),
            CompactClocks.FullTags(row.Tombstones, clock, nodes),
            row.KeptValues,
            row.Source is { } source ? nodes.NodeOf(source) : null,
            row.Held,
            row.Awaiting);
    }

    /// <summary>The node ids (32 lowercase hex digits) a logical row names: in its clocks, tags and source.</summary>
    public static IEnumerable<string> NodesOf(ShadowRow row)
    {
        var nodes = CompactClocks.NodesOf(row.Clock, row.ColumnClocks)
            .Concat(CompactClocks.NodesOf(row.AddTags))
            .Concat(CompactClocks.NodesOf(row.Tombstones));
        if (row.LatestUpdate?.From is { } from)
        {
            nodes = nodes.Append(SourceNode(from));
        }

        return row.Source is null ? nodes : nodes.Append(SourceNode(row.Source));
    }

    /// <summary>
    /// The node ids rows name that <paramref name="nodes"/> does not number yet; null when it numbers them all. Looks
    /// once at each run of rows with the same clocks, tags and source, and copies no id it finds numbered.
    /// </summary>
    /// <exception cref="FormatException">A row's clocks or source are malformed.</exception>
    public static HashSet<string>? Unnumbered(IEnumerable<ShadowRow> rows, NodeNumbers nodes)
    {
        HashSet<string>? missing = null;
        ShadowRow? previous = null;
        foreach (var row in rows)
        {
            if (previous is not null && row.Clock == previous.Clock && row.AddTags == previous.AddTags && row.Tombstones == previous.Tombstones
                && row.SameRegistersAs(previous) && row.Source == previous.Source && row.LatestUpdate?.From == previous.LatestUpdate?.From)
            {
                continue;
            }

            previous = row;
            if ((row.Registers is { } registers ? nodes.ContainsAll(registers) : row.ColumnClocks is null || CompactClocks.AllNumberedColumns(row.ColumnClocks, nodes)) && (row.Source is null || nodes.Contains(row.Source))
                && (row.LatestUpdate?.From is not { } from || nodes.Contains(from))
                && CompactClocks.AllNumbered(row.Clock, nodes) && CompactClocks.AllNumbered(row.AddTags, nodes) && CompactClocks.AllNumbered(row.Tombstones, nodes))
            {
                continue;
            }

            foreach (var node in NodesOf(row))
            {
                if (!nodes.Contains(node))
                {
                    (missing ??= new HashSet<string>(StringComparer.Ordinal)).Add(node);
                }
            }
        }

        return missing;
    }

    /// <summary>The node numbers a stored row names: in its clocks, tags and source.</summary>
    public static IEnumerable<int> NumbersOf(StoredShadowRow row)
    {
        var numbers = CompactClocks.NumbersOf(row.Clock, row.ColumnClocks)
            .Concat(CompactClocks.NumbersOf(row.AddTags))
            .Concat(CompactClocks.NumbersOf(row.Tombstones));
        return row.Source is { } source ? numbers.Append(source) : numbers;
    }

    /// <summary>A source as a node id in the form timestamps name nodes: 32 lowercase hex digits.</summary>
    private static string SourceNode(string source)
        => Guid.TryParseExact(source, "N", out var node) && node.ToString("N") == source
            ? source
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The source '{source}' is not a node id (32 lowercase hex digits)."));
}
