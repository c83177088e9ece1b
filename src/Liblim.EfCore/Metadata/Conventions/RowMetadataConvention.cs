using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>
/// Gives the entity type that owns the rows of a replicated table (the root of its hierarchy, not an owned type) the two
/// shadow properties that keep a shown row's replication metadata in the row itself: its feed position
/// (<see cref="RowMetadataNames.Seq"/>, indexed, so the change feed reads a table in its own order) and its clocks
/// (<see cref="RowMetadataNames.Clocks"/>). Migrations and EnsureCreated create both columns with the app's table.
/// </summary>
internal sealed class RowMetadataConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes().ToList())
        {
            if (entityType.BaseType is not null || entityType.IsOwned() || entityType.GetReplicationKind() is null
                || entityType.FindPrimaryKey() is null || entityType.GetTableName() is null)
            {
                continue; // not a row's owner, or refused by validation later
            }

            var builder = entityType.Builder;
            Property(builder, RowMetadataNames.Seq, typeof(long?));
            Property(builder, RowMetadataNames.Clocks, typeof(string));
            builder.HasIndex([RowMetadataNames.Seq], fromDataAnnotation: true);
        }
    }

    private static void Property(IConventionEntityTypeBuilder entity, string name, Type type)
    {
        var property = entity.Property(type, name, setTypeConfigurationSource: true, fromDataAnnotation: true)!;
        property.IsRequired(false, fromDataAnnotation: true);
        property.ValueGenerated(ValueGenerated.Never, fromDataAnnotation: true);
    }
}
