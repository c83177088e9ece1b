using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// Finds the replicated rows the database itself will change when a SaveChanges deletes the rows they reference:
/// ON DELETE CASCADE deletes them, ON DELETE SET NULL clears their reference. EF does this for the dependents it
/// tracks; for the others the database would do it unseen, and no replica would hear of it. They are recorded as
/// deletes (their values kept) or as writes of the cleared columns, at the SaveChanges' timestamp; a cascade
/// continues through the rows it deletes.
/// </summary>
internal static class DatabaseCascade
{
    /// <param name="session">The context's store, in the SaveChanges' transaction, before EF writes.</param>
    /// <param name="rows">The captured rows, by table and key; rows the database changes are added or amended.</param>
    /// <param name="tracked">The tracked entries of replicated rows, by table and key: the current foreign key values EF will write.</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="ct">Cancels.</param>
    public static async Task AddAsync(StoreSession session, Dictionary<(ReplicatedTable, string), CapturedRow> rows,
        IReadOnlyDictionary<(ReplicatedTable, string), EntityEntry> tracked, bool async, CancellationToken ct)
    {
        var deleted = rows.Values.Where(r => r.Operation == RowOperation.Delete).ToList();
        while (deleted.Count > 0)
        {
            var next = new List<CapturedRow>();
            foreach (var byTable in deleted.GroupBy(r => r.Table))
            {
                var keys = byTable.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
                foreach (var fk in byTable.Key.ReferencedBy.Where(f => f.OnDelete is ReferentialAction.Cascade or ReferentialAction.SetNull))
                {
                    var dependents = await session.Rows(fk.Dependent).ReadWhereAsync(fk.Columns, [.. keys.Select(byTable.Key.DecodeKey)], async, ct).ConfigureAwait(false);
                    foreach (var (key, data) in dependents)
                    {
                        rows.TryGetValue((fk.Dependent, key), out var row);
                        if (row?.Operation == RowOperation.Delete
                            || (tracked.TryGetValue((fk.Dependent, key), out var entry) && !keys.Contains(CurrentReference(fk, entry, data) ?? "")))
                        {
                            continue; // deleted anyway, or EF writes another reference
                        }

                        if (row is null)
                        {
                            rows[(fk.Dependent, key)] = row = new CapturedRow(fk.Dependent, key);
                        }

                        if (fk.OnDelete == ReferentialAction.Cascade)
                        {
                            if (fk.Dependent.Kind == ReplicationKind.InsertOnly)
                            {
                                throw new InsertOnlyViolationException(fk.Dependent.EntityName, "deleted (by the database's ON DELETE CASCADE)");
                            }

                            row.Operation = RowOperation.Delete;
                            next.Add(row);
                        }
                        else
                        {
                            row.Changed.AddRange(fk.Columns.Select(c => c.Name).Except(row.Changed));
                        }
                    }
                }
            }

            deleted = next;
        }
    }

    /// <summary>The key a tracked dependent will reference once EF has written it.</summary>
    private static string? CurrentReference(ReplicatedForeignKey fk, EntityEntry entry, object?[] stored)
    {
        var properties = entry.Metadata.GetProperties().ToList();
        return fk.PrincipalKey(column =>
        {
            var property = properties.FirstOrDefault(p => p.GetColumnName() == column.Name);
            var value = property is null ? stored[column.Ordinal] : entry.Property(property.Name).CurrentValue;
            return value is null ? null : column.ToJson(value);
        });
    }
}
