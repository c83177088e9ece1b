using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Cli.Inspection;

/// <summary>
/// A context whose model is made from a database's catalog (<see cref="InspectedSchema"/>) in place of the app's: each
/// replicated table is an entity of its own (a property bag), replicated, with its key and value columns. With
/// <c>UseLiblim()</c> this gives the library's own readers of its tables (the status, the held-back rows, a row's state,
/// the change feed) a model to read by. Nothing is written through it: its connection is read-only.
/// </summary>
internal sealed class InspectionContext(DbContextOptions<InspectionContext> options, InspectedSchema schema) : DbContext(options)
{
    public InspectedSchema Schema { get; } = schema;

    public static InspectionContext Create(ReplicaCatalog catalog, InspectedSchema schema)
    {
        var builder = new DbContextOptionsBuilder<InspectionContext>();
        catalog.UseProvider(builder);
        builder.UseLiblim();
        builder.ReplaceService<IModelCacheKeyFactory, SchemaModelCacheKeyFactory>();
        return new InspectionContext(builder.Options, schema);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (Schema.DefaultSchema is { } defaultSchema)
        {
            modelBuilder.HasDefaultSchema(defaultSchema);
        }

        foreach (var table in Schema.Tables)
        {
            var entity = modelBuilder.SharedTypeEntity<Dictionary<string, object>>(table.Name);
            entity.ToTable(table.TableName, table.Schema);
            foreach (var column in table.Columns)
            {
                var isKey = column.KeyOrder is not null;
                var type = !isKey && column.ClrType.IsValueType ? typeof(Nullable<>).MakeGenericType(column.ClrType) : column.ClrType;
                // Properties are named apart from the columns, so that no column name meets a member of the property bag.
                var property = entity.IndexerProperty(type, PropertyName(column)).HasColumnName(column.Name).IsRequired(isKey).ValueGeneratedNever();
                if (column.StoreType.Length > 0)
                {
                    property.HasColumnType(column.StoreType);
                }
            }

            entity.HasKey([.. table.KeyColumns.Select(PropertyName)]);
            entity.IsReplicated();
        }
    }

    private static string PropertyName(InspectedColumn column) => "_" + column.Name;

    /// <summary>A model per schema: one process may read two databases (diff).</summary>
    private sealed class SchemaModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (((InspectionContext)context).Schema, designTime);
    }
}
