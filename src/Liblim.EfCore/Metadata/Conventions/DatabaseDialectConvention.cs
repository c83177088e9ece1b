using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>
/// Records on the finished model which database it is for, so that replicated columns know which values their
/// database can hold exactly. A model is built for one provider, so the dialect is fixed with it.
/// </summary>
internal sealed class DatabaseDialectConvention(SqlDialect dialect) : IModelFinalizedConvention
{
    public IModel ProcessModelFinalized(IModel model)
    {
        model.SetRuntimeAnnotation(LiblimAnnotationNames.Dialect, dialect);
        return model;
    }
}
