using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// The replicated tables of a model, built once per model from EF's relational model and cached on it.
/// </summary>
internal sealed class ReplicationModel
{
    private readonly Dictionary<string, ReplicatedTable> _byName;
    private readonly Dictionary<IEntityType, EntityTableMapping> _byEntityType;

    private ReplicationModel(IModel model)
    {
        _byName = new(StringComparer.Ordinal);
        _byEntityType = [];
        var dialect = model.FindRuntimeAnnotationValue(LiblimAnnotationNames.Dialect) as SqlDialect;
        foreach (var table in model.GetRelationalModel().Tables)
        {
            var entityTypes = table.EntityTypeMappings.Select(m => m.TypeBase).OfType<IEntityType>().ToList();
            var kind = entityTypes.Select(e => e.GetReplicationKind()).FirstOrDefault(k => k is not null);
            if (kind is null)
            {
                continue;
            }

            var replicated = Build(table, kind.Value, dialect);
            _byName.Add(replicated.Name, replicated);
            foreach (var mapping in table.EntityTypeMappings)
            {
                var entityType = (IEntityType)mapping.TypeBase;
                var byColumn = mapping.ColumnMappings.ToDictionary(m => m.Column.Name, m => m.Property, StringComparer.Ordinal);
                var keyProperties = replicated.KeyColumns.Select(c => byColumn[c.Name]).ToArray();
                var valueProperties = replicated.ValueColumns
                    .Where(c => byColumn.ContainsKey(c.Name))
                    .Select(c => (c, byColumn[c.Name]))
                    .ToArray();
                _byEntityType[entityType] = new EntityTableMapping(replicated, keyProperties, valueProperties, !entityType.IsOwned());
            }
        }

        Shadow = new ShadowNames(model);
    }

    /// <summary>Names of Liblim's own tables and columns in this model.</summary>
    public ShadowNames Shadow { get; }

    /// <summary>Every replicated table.</summary>
    public IEnumerable<ReplicatedTable> Tables => _byName.Values;

    /// <summary>The replication model of a context's model.</summary>
    public static ReplicationModel For(IModel model)
        => model.GetOrAddRuntimeAnnotationValue(LiblimAnnotationNames.ReplicationModel, static m => new ReplicationModel(m!), model);

    /// <summary>Finds a replicated table by its replica name.</summary>
    public ReplicatedTable? FindTable(string name) => _byName.GetValueOrDefault(name);

    /// <summary>How an entity type maps to its replicated table; null when it is not replicated.</summary>
    public EntityTableMapping? FindMapping(IEntityType entityType) => _byEntityType.GetValueOrDefault(entityType);

    private static ReplicatedTable Build(ITable table, ReplicationKind kind, SqlDialect? dialect)
    {
        var keyNames = table.PrimaryKey!.Columns.Select(c => c.Name).ToList();
        var keys = keyNames.Select(n => ToColumn(table.FindColumn(n)!, isKey: true, dialect)).ToList();
        var values = table.Columns
            .Where(c => !keyNames.Contains(c.Name) && c.ComputedColumnSql is null)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => ToColumn(c, isKey: false, dialect))
            .ToList();
        var name = table.Schema is null ? table.Name : table.Schema + "." + table.Name;
        return new ReplicatedTable(name, table.Name, table.Schema, kind, keys, values);
    }

    private static ReplicatedColumn ToColumn(IColumn column, bool isKey, SqlDialect? dialect)
    {
        var mapping = column.PropertyMappings.First();
        return new ReplicatedColumn(column.Name, mapping.Property, (RelationalTypeMapping)mapping.TypeMapping, column.IsNullable, isKey, dialect);
    }
}
