using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// A local write to a held-back row, which EF cannot load (it is not in its table): new values for some columns,
/// or a delete, stamped and recorded as a SaveChanges would, then reconciled (the row may be shown at once).
/// </summary>
internal static class HeldRowWrite
{
    public static async Task WriteAsync(DbContext context, HeldBackRow held, IReadOnlyDictionary<string, object?>? values, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var table = session.Model.FindTable(held.Table)
            ?? throw new LiblimException($"'{held.Table}' is not a replicated table of {context.GetType().Name}.");
        var columns = values is null ? [] : Columns(context, table, values);
        await StoredRowWrite.WriteAsync(context, table, held.Key,
            stored => stored is { IsAlive: true, IsShown: false } ? null : $"Row {held.Key} of '{held.Table}' is not held back (any more): change it through EF.",
            (state, at) => values is null ? state.Delete() : state.Write(columns, at), ct).ConfigureAwait(false);
    }

    /// <summary>The canonical JSON of new values given by property name (of the table's entity types).</summary>
    private static List<KeyValuePair<string, string?>> Columns(DbContext context, ReplicatedTable table, IReadOnlyDictionary<string, object?> values)
    {
        var model = ReplicationModel.For(context.Model);
        var properties = context.Model.GetEntityTypes()
            .Select(model.FindMapping).OfType<EntityTableMapping>()
            .Where(m => m.Table == table)
            .SelectMany(m => m.ValueProperties)
            .GroupBy(p => p.Property.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Column, StringComparer.Ordinal);
        var columns = new List<KeyValuePair<string, string?>>();
        foreach (var (name, value) in values)
        {
            var column = properties.GetValueOrDefault(name) ?? table.FindColumn(name)
                ?? throw new ArgumentException($"'{table.EntityName}' has no replicated property or column '{name}'.", nameof(values));
            if (column.IsKey)
            {
                throw new ArgumentException($"'{name}' is part of the key of '{table.EntityName}'; a key cannot change.", nameof(values));
            }

            columns.Add(KeyValuePair.Create(column.Name, (string?)column.ToJson(value)));
        }

        return columns;
    }
}
