using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
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
        var valueStorage = model.FindRuntimeAnnotationValue(LiblimAnnotationNames.ValueStorage) as IValueStorage;
        foreach (var table in model.GetRelationalModel().Tables)
        {
            var entityTypes = table.EntityTypeMappings.Select(m => m.TypeBase).OfType<IEntityType>().ToList();
            var kind = entityTypes.Select(e => e.GetReplicationKind()).FirstOrDefault(k => k is not null);
            if (kind is null)
            {
                continue;
            }

            var replicated = Build(table, kind.Value, valueStorage);
            var root = entityTypes.First(e => !e.IsOwned()).GetRootType();
            replicated.EntityName = root.DisplayName();
            replicated.EntityType = root.ClrType;
            replicated.UniquePolicy = root.GetUniqueConflictPolicy();
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

        foreach (var table in model.GetRelationalModel().Tables)
        {
            if (FindTable(NameOf(table)) is { } replicated)
            {
                AddRelationships(table, replicated);
            }
        }

        HasConstraints = _byName.Values.Any(t => t.ForeignKeys.Count > 0 || t.UniqueIndexes.Count > 0);
        HasUnreplicatedNoActionReferences = model.GetRelationalModel().Tables
            .Where(t => FindTable(NameOf(t)) is null)
            .SelectMany(t => t.ForeignKeyConstraints)
            .Any(fk => fk.OnDeleteAction == ReferentialAction.NoAction && FindTable(NameOf(fk.PrincipalTable)) is not null);
        Shadow = new ShadowNames(model);
    }

    /// <summary>Whether a replicated table has a foreign key or a unique index: without, no row is ever held back.</summary>
    public bool HasConstraints { get; }

    /// <summary>
    /// Whether a table that is not replicated references a replicated one with ON DELETE NO ACTION. Where a merge's
    /// foreign key checks are deferred to its commit (SQLite), a merge that removes a row such a table references fails
    /// only when it commits.
    /// </summary>
    public bool HasUnreplicatedNoActionReferences { get; }

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

    private static ReplicatedTable Build(ITable table, ReplicationKind kind, IValueStorage? valueStorage)
    {
        var keyNames = table.PrimaryKey!.Columns.Select(c => c.Name).ToList();
        var keys = keyNames.Select(n => ToColumn(table.FindColumn(n)!, isKey: true, valueStorage)).ToList();
        var values = table.Columns
            .Where(c => !keyNames.Contains(c.Name) && c.ComputedColumnSql is null && RowMetadataOf(c) is null)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => ToColumn(c, isKey: false, valueStorage))
            .ToList();
        return new ReplicatedTable(NameOf(table), table.Name, table.Schema, kind, keys, values)
        {
            SeqColumn = table.Columns.Single(c => RowMetadataOf(c) == RowMetadataNames.Seq).Name,
            ClocksColumn = table.Columns.Single(c => RowMetadataOf(c) == RowMetadataNames.Clocks).Name,
        };
    }

    /// <summary>Which of the row metadata properties (<see cref="RowMetadataNames"/>) a column holds; null for any other column.</summary>
    private static string? RowMetadataOf(IColumn column)
        => column.PropertyMappings.Select(m => m.Property.Name).FirstOrDefault(RowMetadataNames.IsRowMetadata);

    private static string NameOf(ITable table) => table.Schema is null ? table.Name : table.Schema + "." + table.Name;

    /// <summary>
    /// Adds the table's unique indexes and its foreign keys to other replicated tables (model validation has refused
    /// references to tables that are not replicated, and to alternate keys).
    /// </summary>
    private void AddRelationships(ITable table, ReplicatedTable replicated)
    {
        var unique = table.Indexes.Where(i => i.IsUnique).Select(i => (i.Name, i.Columns))
            .Concat(table.UniqueConstraints.Where(c => !c.GetIsPrimaryKey()).Select(c => (c.Name, c.Columns)))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => new ReplicatedUniqueIndex(i.Name, replicated, [.. i.Columns.Select(c => replicated.FindColumn(c.Name)!)]))
            .ToList();
        for (var i = 0; i < unique.Count; i++)
        {
            unique[i].Ordinal = i;
        }

        replicated.UniqueIndexes = unique;
        var constraints = table.ForeignKeyConstraints
            .Where(fk => FindTable(NameOf(fk.PrincipalTable)) is not null && fk.PrincipalUniqueConstraint.GetIsPrimaryKey())
            .OrderBy(fk => fk.Name, StringComparer.Ordinal)
            .ToList();
        var keys = new List<ReplicatedForeignKey>();
        foreach (var constraint in constraints)
        {
            var principal = FindTable(NameOf(constraint.PrincipalTable))!;
            var columns = principal.KeyColumns
                .Select(k => constraint.Columns[IndexOf(constraint.PrincipalColumns, k.Name)])
                .Select(c => replicated.FindColumn(c.Name)!)
                .ToList();
            var shared = constraints.Where(other => other != constraint).SelectMany(other => other.Columns).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            // A reference is projected (shown null while the referenced row is not shown) only where null is a value the
            // row may show without changing anything else: nullable columns, no key, no unique index, no other foreign key.
            var projected = constraint.MappedForeignKeys.Any(fk => fk.DeleteBehavior is DeleteBehavior.SetNull or DeleteBehavior.ClientSetNull)
                            && columns.All(c => c.IsNullable && !c.IsKey && !shared.Contains(c.Name))
                            && !unique.Any(u => u.Columns.Intersect(columns).Any());
            keys.Add(new ReplicatedForeignKey(constraint.Name, replicated, principal, columns, constraint.OnDeleteAction, holdsDependent: !projected) { Ordinal = keys.Count });
        }

        replicated.ForeignKeys = keys;
        foreach (var key in keys)
        {
            key.Principal.ReferencedBy = [.. key.Principal.ReferencedBy, key];
        }
    }

    private static int IndexOf(IReadOnlyList<IColumn> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Column '{name}' is not part of the foreign key.");
    }

    private static ReplicatedColumn ToColumn(IColumn column, bool isKey, IValueStorage? valueStorage)
    {
        var mapping = column.PropertyMappings.First();
        return new ReplicatedColumn(column.Name, mapping.Property, (RelationalTypeMapping)mapping.TypeMapping, column.IsNullable, isKey, valueStorage);
    }
}
