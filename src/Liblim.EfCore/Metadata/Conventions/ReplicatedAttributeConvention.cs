using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using System.Reflection;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>Applies <see cref="ReplicatedAttribute"/>; explicit configuration with IsReplicated or OnUniqueConflict overrides it.</summary>
internal sealed class ReplicatedAttributeConvention : IEntityTypeAddedConvention
{
    public void ProcessEntityTypeAdded(IConventionEntityTypeBuilder entityTypeBuilder, IConventionContext<IConventionEntityTypeBuilder> context)
    {
        var type = entityTypeBuilder.Metadata.ClrType;
        if (type.GetCustomAttribute<ReplicatedAttribute>(inherit: true) is { } attribute && entityTypeBuilder.Metadata.BaseType is null)
        {
            entityTypeBuilder.HasAnnotation(LiblimAnnotationNames.Replicated, attribute.Kind, fromDataAnnotation: true);
            entityTypeBuilder.HasAnnotation(LiblimAnnotationNames.UniqueConflict, attribute.OnUniqueConflict, fromDataAnnotation: true);
        }
    }
}
