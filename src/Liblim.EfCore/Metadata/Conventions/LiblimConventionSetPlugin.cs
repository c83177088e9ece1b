using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>Adds Liblim's conventions to the model of every context that calls UseLiblim.</summary>
internal sealed class LiblimConventionSetPlugin(IValueStorage valueStorage) : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        var shadowTables = new ShadowTablesConvention(valueStorage is SqlDialect { DrawsPositionsFromSequence: true });
        conventionSet.ModelInitializedConventions.Add(shadowTables);
        conventionSet.ModelFinalizingConventions.Insert(0, shadowTables);
        conventionSet.ModelFinalizingConventions.Insert(1, new RowMetadataConvention());
        conventionSet.EntityTypeAddedConventions.Add(new ReplicatedAttributeConvention());
        conventionSet.ModelFinalizedConventions.Add(new ReplicationModelValidationConvention());
        conventionSet.ModelFinalizedConventions.Add(new ValueStorageConvention(valueStorage));

        return conventionSet;
    }
}
