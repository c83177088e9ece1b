using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>Adds Liblim's conventions to the model of every context that calls UseLiblim.</summary>
internal sealed class LiblimConventionSetPlugin : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        conventionSet.ModelInitializedConventions.Add(new ShadowTablesConvention());
        conventionSet.EntityTypeAddedConventions.Add(new ReplicatedAttributeConvention());
        conventionSet.ModelFinalizedConventions.Add(new ReplicationModelValidationConvention());
        return conventionSet;
    }
}
