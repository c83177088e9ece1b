using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>Builds the <see cref="DataOp"/> that takes a data row from one content to another.</summary>
internal static class DataOps
{
    /// <summary>
    /// The write that takes a row from <paramref name="before"/> (null: not in its table) to <paramref name="after"/> (null:
    /// not in it), storing <paramref name="metadata"/> with it when it is kept in the row.
    /// </summary>
    public static DataOp For(DataOpKind kind, ReplicatedTable table, string key, object?[]? before, object?[]? after, ShadowRow? metadata = null)
        => new(kind, table.Name, key)
        {
            Metadata = metadata,
            Before = References(table, before),
            After = References(table, after),
            UniqueBefore = UniqueGroups(table, before),
            UniqueAfter = UniqueGroups(table, after),
            Row = after,
            Current = before,
        };

    private static List<DataRef> References(ReplicatedTable table, object?[]? row)
    {
        var refs = new List<DataRef>();
        if (row is not null)
        {
            foreach (var fk in table.ForeignKeys)
            {
                if (fk.PrincipalKey(row) is { } key)
                {
                    refs.Add(new DataRef(fk.Principal.Name, key, fk.OnDelete));
                }
            }
        }

        return refs;
    }

    private static List<string> UniqueGroups(ReplicatedTable table, object?[]? row)
    {
        var groups = new List<string>();
        if (row is not null)
        {
            foreach (var index in table.UniqueIndexes)
            {
                if (index.ValueKey(row) is { } values)
                {
                    groups.Add(index.GroupKey(values));
                }
            }
        }

        return groups;
    }
}
