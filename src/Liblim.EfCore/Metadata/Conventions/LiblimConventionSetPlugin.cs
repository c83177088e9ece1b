using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>Adds Liblim's conventions to the model of every context that calls UseLiblim.</summary>
internal sealed class LiblimConventionSetPlugin(IEnumerable<IDatabaseProvider> providers) : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        var shadowTables = new ShadowTablesConvention();
        conventionSet.ModelInitializedConventions.Add(shadowTables);
        conventionSet.ModelFinalizingConventions.Insert(0, shadowTables);
        conventionSet.EntityTypeAddedConventions.Add(new ReplicatedAttributeConvention());
        conventionSet.ModelFinalizedConventions.Add(new ReplicationModelValidationConvention());
        // An unsupported provider is reported at the first replicated write, as before, not while building the model.
        if (SqlDialect.Find(providers.FirstOrDefault()?.Name) is { } dialect)
        {
            conventionSet.ModelFinalizedConventions.Add(new DatabaseDialectConvention(dialect));
        }

        return conventionSet;
    }
}
